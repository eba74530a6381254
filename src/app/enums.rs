//! `str_enum!`: closed sets of values stored as text (kinds, statuses, sources…), each with its
//! database spelling and the i18n key of its label. Parsing is the only way in.

#[macro_export]
macro_rules! str_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $db:literal, $key:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $db),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s.trim() { $($db => Some($name::$variant),)+ _ => None }
            }

            pub fn label_key(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
