//! `str_enum!`: closed sets of values stored as text (kinds, statuses, sources…), each with its
//! database spelling and the i18n key of its label. Parsing is the only way in.

/// A closed value with a label in both languages (`Ctx::label` shows it).
pub trait Labelled: Copy {
    fn label_key(self) -> &'static str;
}

impl<T: Labelled> Labelled for &T {
    fn label_key(self) -> &'static str {
        (*self).label_key()
    }
}

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

        impl $crate::app::enums::Labelled for $name {
            fn label_key(self) -> &'static str {
                $name::label_key(self)
            }
        }

        impl sqlx::Type<sqlx::Postgres> for $name {
            fn type_info() -> sqlx::postgres::PgTypeInfo {
                <&str as sqlx::Type<sqlx::Postgres>>::type_info()
            }

            fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
                <&str as sqlx::Type<sqlx::Postgres>>::compatible(ty)
            }
        }

        /// Read side: a stored value decodes into the enum, or the row fails loudly.
        impl<'r> sqlx::Decode<'r, sqlx::Postgres> for $name {
            fn decode(value: sqlx::postgres::PgValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                let s = <&str as sqlx::Decode<sqlx::Postgres>>::decode(value)?;
                $name::parse(s).ok_or_else(|| format!("unknown {} value {s:?}", stringify!($name)).into())
            }
        }

        impl<'q> sqlx::Encode<'q, sqlx::Postgres> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut sqlx::postgres::PgArgumentBuffer,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&str as sqlx::Encode<sqlx::Postgres>>::encode_by_ref(&self.as_str(), buf)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
