//! Pagination that keeps the current filters in the URL.

pub const PER_PAGE: i64 = 50;

#[derive(Clone, Debug)]
pub struct Pager {
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
    /// The query string of the filters, without `page`.
    pub query: String,
    /// Keyset cursors: the links to the next and previous pages carry the last and first row
    /// shown, so a deep page is found by its key rather than by skipping every row before it.
    pub next_after: Option<i64>,
    pub prev_before: Option<i64>,
    /// The id of the part of the page the pager pages (`#table`), so that the next page opens
    /// there rather than above what comes before it.
    pub anchor: &'static str,
}

impl Pager {
    pub fn new(page: Option<i64>, total: i64, query: String) -> Self {
        Self {
            page: page.unwrap_or(1).max(1),
            per_page: PER_PAGE,
            total,
            query,
            next_after: None,
            prev_before: None,
            anchor: "",
        }
    }

    /// The pager's links open the page at the element with this id.
    pub fn at(mut self, anchor: &'static str) -> Self {
        self.anchor = anchor;
        self
    }

    /// The last page there is (1 when there is nothing).
    fn last_page(total: i64) -> i64 {
        ((total + PER_PAGE - 1) / PER_PAGE).max(1)
    }

    /// The page asked, within the pages there are: a page past the end (an old link, a list that
    /// shrank) is the last one.
    pub fn within(page: Option<i64>, total: i64) -> i64 {
        page.unwrap_or(1).clamp(1, Self::last_page(total))
    }

    fn with_anchor(&self, link: String) -> String {
        if self.anchor.is_empty() { link } else { format!("{link}#{}", self.anchor) }
    }

    /// Next and previous by key: after the last row shown, before the first.
    pub fn with_cursors(mut self, first: Option<i64>, last: Option<i64>) -> Self {
        self.prev_before = first;
        self.next_after = last;
        self
    }

    pub fn offset(page: Option<i64>) -> i64 {
        (page.unwrap_or(1).max(1) - 1).min(1_000_000) * PER_PAGE
    }

    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }

    pub fn has_prev(&self) -> bool {
        self.page > 1
    }

    pub fn has_next(&self) -> bool {
        self.page < self.pages()
    }

    fn link(&self, page: i64) -> String {
        if self.query.is_empty() { format!("?page={page}") } else { format!("?{}&page={page}", self.query) }
    }

    pub fn prev_link(&self) -> String {
        self.with_anchor(match self.prev_before {
            Some(id) if self.page > 2 => format!("{}&before={id}", self.link(self.page - 1)),
            _ => self.link(self.page - 1),
        })
    }

    pub fn next_link(&self) -> String {
        self.with_anchor(match self.next_after {
            Some(id) => format!("{}&after={id}", self.link(self.page + 1)),
            None => self.link(self.page + 1),
        })
    }

    pub fn first_row(&self) -> i64 {
        if self.total == 0 { 0 } else { (self.page - 1) * self.per_page + 1 }
    }

    pub fn last_row(&self) -> i64 {
        (self.page * self.per_page).min(self.total)
    }
}

/// Build a query string from the non-empty filter pairs.
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    let kept: Vec<(&str, &str)> = pairs.iter().filter(|(_, v)| !v.is_empty()).copied().collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}
