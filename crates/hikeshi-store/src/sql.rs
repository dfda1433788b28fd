//! A small builder for dynamic SQL with numbered placeholders (`$1`, `$2`, …, valid on both
//! backends). Values are always bound, never spliced into the text.

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AssertSqlSafe};

#[derive(Debug, Clone)]
pub(crate) enum Val {
    I(i64),
    OI(Option<i64>),
    S(String),
    OS(Option<String>),
    B(Vec<u8>),
    OB(Option<Vec<u8>>),
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::I(v)
    }
}
impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Self {
        Val::OI(v)
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::S(v)
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::S(v.to_string())
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Self {
        Val::OS(v)
    }
}
impl From<Vec<u8>> for Val {
    fn from(v: Vec<u8>) -> Self {
        Val::B(v)
    }
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Sql {
    pub text: String,
    pub args: Vec<Val>,
}

impl Sql {
    pub fn new(text: &str) -> Sql {
        Sql {
            text: text.to_string(),
            args: Vec::new(),
        }
    }

    pub fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    /// Appends a placeholder for `v`.
    pub fn bind(&mut self, v: impl Into<Val>) -> &mut Self {
        self.args.push(v.into());
        self.text.push('$');
        self.text.push_str(&self.args.len().to_string());
        self
    }

    /// `(v1, v2, …)` for an IN list; `(NULL)` when empty (matches nothing).
    pub fn bind_list(&mut self, vs: impl IntoIterator<Item = String>) -> &mut Self {
        self.text.push('(');
        let mut first = true;
        for v in vs {
            if !first {
                self.text.push_str(", ");
            }
            first = false;
            self.bind(v);
        }
        if first {
            self.text.push_str("NULL");
        }
        self.text.push(')');
        self
    }

    /// Like [`Sql::query`], but on SQLite with anonymous `?` placeholders. SQLite takes `$N`
    /// for a *named* parameter (and even `?N` goes through its name list), resolved by a
    /// linear search while preparing: statements with thousands of parameters (multi-row
    /// inserts, long IN lists) become quadratic to prepare. Placeholders are numbered in
    /// order of appearance, each used once, so `?` binds the same values. Only for text whose
    /// only `$` characters are placeholders.
    pub fn query_on(&self, backend: crate::Backend) -> Query<'static, Any, AnyArguments> {
        self.clone().into_query_on(backend)
    }

    /// [`Sql::query_on`] without copying the bound values (a bulk statement binds tens of
    /// megabytes of JSON).
    pub fn into_query_on(self, backend: crate::Backend) -> Query<'static, Any, AnyArguments> {
        if backend == crate::Backend::Sqlite {
            let mut text = String::with_capacity(self.text.len());
            let mut chars = self.text.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '$' {
                    text.push('?');
                    while chars.peek().is_some_and(char::is_ascii_digit) {
                        chars.next();
                    }
                } else {
                    text.push(c);
                }
            }
            return Sql {
                text,
                args: self.args,
            }
            .into_query();
        }
        self.into_query()
    }

    pub fn query(&self) -> Query<'static, Any, AnyArguments> {
        self.clone().into_query()
    }

    fn into_query(self) -> Query<'static, Any, AnyArguments> {
        let mut q = sqlx::query(AssertSqlSafe(self.text));
        for a in self.args {
            q = match a {
                Val::I(v) => q.bind(v),
                Val::OI(v) => q.bind(v),
                Val::S(v) => q.bind(v),
                Val::OS(v) => q.bind(v),
                Val::B(v) => q.bind(v),
                Val::OB(v) => q.bind(v),
            };
        }
        q
    }
}

/// Escapes `%`, `_` and `\` for `LIKE … ESCAPE '\'`.
pub(crate) fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// An INSERT with one placeholder per column.
pub(crate) fn insert(table: &str, cols: &[&str], vals: Vec<Val>) -> Sql {
    let mut s = Sql::new(&format!(
        "INSERT INTO {table} ({}) VALUES (",
        cols.join(", ")
    ));
    for (i, v) in vals.into_iter().enumerate() {
        if i > 0 {
            s.push(", ");
        }
        s.bind(v);
    }
    s.push(")");
    s
}

/// `UPDATE table SET c1 = $.., … WHERE id = $id AND version = $expected`.
pub(crate) fn update_versioned(
    table: &str,
    cols: &[&str],
    vals: Vec<Val>,
    id: String,
    expected: i64,
) -> Sql {
    let mut s = Sql::new(&format!("UPDATE {table} SET "));
    for (i, (c, v)) in cols.iter().zip(vals).enumerate() {
        if i > 0 {
            s.push(", ");
        }
        s.push(c).push(" = ").bind(v);
    }
    s.push(" WHERE id = ")
        .bind(id)
        .push(" AND version = ")
        .bind(expected);
    s
}
