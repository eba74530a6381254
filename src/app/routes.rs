//! The route registry: every route is added with its access rule, which one layer enforces on
//! the server. The registry also lets the tests walk every route of the router.

use axum::{
    Router,
    extract::Request,
    handler::Handler,
    http::Method,
    middleware::{self, Next},
    response::{IntoResponse, Redirect, Response},
    routing::{MethodRouter, get, post},
};

use super::{context::Ctx, error::AppError, state::AppState};
use crate::auth::Role;

/// Who may reach a route. Scope within a role (own record, unit subtree) is checked by the
/// handler's queries on top of this.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in account.
    SignedIn,
    /// Signed in with at least one of these roles.
    AnyOf(&'static [Role]),
}

#[derive(Clone, Debug)]
pub struct RouteInfo {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
}

/// A count shown beside a navigation item (approvals waiting…), computed per request for the
/// signed-in user by the feature that owns it. The layout knows only the href and the number.
pub type BadgeFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Option<i64>, sqlx::Error>> + Send + 'a>>;
pub type BadgeFn = for<'a> fn(&'a AppState, &'a crate::auth::CurrentUser) -> BadgeFuture<'a>;

/// A navigation entry a feature adds for the user who may use it: (href, i18n key of the label),
/// or `None` when the user has no business there. `order` places it in the menu.
pub type NavFn = fn(&crate::auth::CurrentUser) -> Option<(String, &'static str)>;

#[derive(Clone, Copy)]
pub struct NavEntry {
    pub order: u16,
    pub item: NavFn,
}

#[derive(Clone, Copy)]
pub struct Badge {
    pub href: &'static str,
    pub count: BadgeFn,
}

pub struct Routes {
    router: Router<AppState>,
    infos: Vec<RouteInfo>,
    badges: Vec<Badge>,
    nav: Vec<NavEntry>,
}

impl Default for Routes {
    fn default() -> Self {
        Self::new()
    }
}

/// Paths a user who must change the initial password may still use.
const FIRST_LOGIN_PATHS: &[&str] = &["/password", "/logout", "/lang/"];

async fn check(access: Access, req: Request, next: Next) -> Response {
    let Some(ctx) = req.extensions().get::<Ctx>() else {
        return AppError::Other(anyhow::anyhow!("context missing")).into_response();
    };
    if access != Access::Public {
        let Some(user) = &ctx.user else {
            return AppError::Unauthorized.into_response();
        };
        if user.must_change_password && !FIRST_LOGIN_PATHS.iter().any(|p| req.uri().path().starts_with(p)) {
            return Redirect::to("/password").into_response();
        }
        if let Access::AnyOf(roles) = access
            && !roles.iter().any(|r| user.has(*r))
        {
            return AppError::Forbidden.into_response();
        }
    }
    next.run(req).await
}

impl Routes {
    pub fn new() -> Self {
        Self { router: Router::new(), infos: vec![], badges: vec![], nav: vec![] }
    }

    fn add(mut self, method: Method, path: &'static str, access: Access, mr: MethodRouter<AppState>) -> Self {
        let mr = mr.route_layer(middleware::from_fn(move |req: Request, next: Next| check(access, req, next)));
        self.router = self.router.route(path, mr);
        self.infos.push(RouteInfo { method, path, access });
        self
    }

    pub fn get<H, T>(self, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::GET, path, access, get(handler))
    }

    pub fn post<H, T>(self, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::POST, path, access, post(handler))
    }

    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.infos.extend(other.infos);
        self.badges.extend(other.badges);
        self.nav.extend(other.nav);
        self
    }

    /// Add an entry to the left navigation (shown to the users `item` returns something for).
    pub fn nav(mut self, order: u16, item: NavFn) -> Self {
        self.nav.push(NavEntry { order, item });
        self
    }

    /// The navigation entries, in menu order.
    pub fn nav_entries(&self) -> Vec<NavEntry> {
        let mut n = self.nav.clone();
        n.sort_by_key(|e| e.order);
        n
    }

    /// Register a count for the navigation item `href` (the layout shows it when above zero).
    pub fn badge(mut self, href: &'static str, count: BadgeFn) -> Self {
        self.badges.push(Badge { href, count });
        self
    }

    pub fn badges(&self) -> Vec<Badge> {
        self.badges.clone()
    }

    pub fn into_parts(self) -> (Router<AppState>, Vec<RouteInfo>) {
        (self.router, self.infos)
    }
}
