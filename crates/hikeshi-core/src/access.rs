//! Who may see and change what. Every use case calls into this module before touching a
//! record; the store receives a [`Visibility`] so lists and search filter in SQL by the
//! very same rules.
//!
//! Rules:
//! - admins, and users marked `global`, see every constituency; everyone else sees only
//!   records of their constituencies (a record without constituency is global-only);
//! - reporters (constituents) see only the reports they created, and no incident;
//! - TLP:RED records are visible only to the users named on them and their creator —
//!   admins included;
//! - observers read; handlers, leads and admins write; leads and admins assign others;
//!   only admins manage users, constituencies and other people's tokens.

use crate::error::{Error, Result};
use crate::ids::{ConstituencyId, UserId};
use crate::model::{Role, Tlp};

/// What a token (or a session) is allowed to do, on top of the user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scopes {
    pub read: bool,
    pub write: bool,
    pub admin: bool,
    /// `alerts:write`: may post alerts (SIEM, IDS, feeds) and nothing else.
    pub alerts: bool,
}

impl Scopes {
    pub const ALL: Scopes = Scopes {
        read: true,
        write: true,
        admin: true,
        alerts: true,
    };
    pub const NAMES: &'static [&'static str] = &["read", "write", "admin", "alerts:write"];

    pub fn parse(list: &[String]) -> Result<Scopes> {
        let mut s = Scopes {
            read: false,
            write: false,
            admin: false,
            alerts: false,
        };
        for name in list {
            match name.as_str() {
                "read" => s.read = true,
                "write" => s.write = true,
                "admin" => s.admin = true,
                "alerts:write" => s.alerts = true,
                other => {
                    return Err(Error::validation(
                        "scope",
                        format!(
                            "unknown scope {other:?}; expected read, write, admin or alerts:write"
                        ),
                    ));
                }
            }
        }
        // Writing implies reading.
        s.read |= s.write || s.admin;
        Ok(s)
    }
}

/// The authenticated caller of a use case.
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    pub user: UserId,
    pub username: String,
    pub role: Role,
    pub global: bool,
    pub constituencies: Vec<ConstituencyId>,
    pub scopes: Scopes,
}

/// What the store needs to filter lists and search by the same rules as [`Actor::can_see`].
#[derive(Debug, Clone, PartialEq)]
pub struct Visibility {
    pub user: UserId,
    pub all_constituencies: bool,
    pub constituencies: Vec<ConstituencyId>,
    /// Reporters: only records they created.
    pub own_only: bool,
}

/// The facts about a record that decide its visibility.
#[derive(Debug, Clone, Copy)]
pub struct Guarded<'a> {
    pub constituency: Option<ConstituencyId>,
    pub tlp: Tlp,
    pub named_users: &'a [UserId],
    pub created_by: UserId,
    /// Incidents are never visible to reporters.
    pub is_incident: bool,
}

impl Actor {
    pub fn is_global(&self) -> bool {
        self.role == Role::Admin || self.global
    }

    pub fn visibility(&self) -> Visibility {
        Visibility {
            user: self.user,
            all_constituencies: self.is_global(),
            constituencies: self.constituencies.clone(),
            own_only: self.role == Role::Reporter,
        }
    }

    pub fn can_see(&self, r: Guarded<'_>) -> bool {
        if !self.scopes.read {
            return false;
        }
        if self.role == Role::Reporter {
            return !r.is_incident && r.created_by == self.user;
        }
        if r.tlp == Tlp::Red {
            return r.created_by == self.user || r.named_users.contains(&self.user);
        }
        if self.is_global() {
            return true;
        }
        match r.constituency {
            Some(c) => self.constituencies.contains(&c),
            None => false,
        }
    }

    /// Visible, or `NotFound` — a record the caller may not see does not exist for them.
    pub fn require_see(&self, r: Guarded<'_>) -> Result<()> {
        if self.can_see(r) {
            Ok(())
        } else {
            Err(Error::NotFound)
        }
    }

    fn writer_role(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Lead | Role::Handler)
    }

    /// May change a record it can see.
    pub fn require_write(&self, r: Guarded<'_>) -> Result<()> {
        self.require_see(r)?;
        self.require_write_role()
    }

    pub fn require_write_role(&self) -> Result<()> {
        if !self.scopes.write {
            return Err(Error::Forbidden("the token lacks the write scope".into()));
        }
        if !self.writer_role() {
            return Err(Error::Forbidden(format!("role {} is read-only", self.role)));
        }
        Ok(())
    }

    /// May create a record in this constituency (None = unrouted, global users only).
    pub fn require_create_in(&self, c: Option<ConstituencyId>) -> Result<()> {
        self.require_write_role()?;
        match c {
            _ if self.is_global() => Ok(()),
            Some(c) if self.constituencies.contains(&c) => Ok(()),
            Some(_) => Err(Error::Forbidden("not a member of that constituency".into())),
            None => Err(Error::validation(
                "constituency",
                "required for users scoped to constituencies",
            )),
        }
    }

    /// Assigning someone else is triage: leads and admins. Anyone who writes may take.
    pub fn require_assign(&self, to: Option<UserId>) -> Result<()> {
        self.require_write_role()?;
        if to == Some(self.user) || matches!(self.role, Role::Admin | Role::Lead) {
            Ok(())
        } else {
            Err(Error::Forbidden(
                "only leads and admins assign others".into(),
            ))
        }
    }

    /// Changes to one's own account and credentials need a token that may write.
    pub fn require_write_scope(&self) -> Result<()> {
        if self.scopes.write {
            Ok(())
        } else {
            Err(Error::Forbidden("the token lacks the write scope".into()))
        }
    }

    /// A token may only hand out scopes it has itself.
    pub fn require_scopes_within(&self, wanted: Scopes) -> Result<()> {
        let exceeds = (wanted.write && !self.scopes.write)
            || (wanted.admin && !self.scopes.admin)
            || (wanted.read && !self.scopes.read)
            || (wanted.alerts && !(self.scopes.alerts || self.scopes.write));
        if exceeds {
            return Err(Error::Forbidden(
                "a token cannot grant scopes it does not have".into(),
            ));
        }
        Ok(())
    }

    pub fn require_admin(&self) -> Result<()> {
        if self.role == Role::Admin && self.scopes.admin {
            Ok(())
        } else {
            Err(Error::Forbidden("admin only".into()))
        }
    }

    /// Posting alerts: a token with `alerts:write` (or `write`), any role but observer.
    pub fn require_alert_posting(&self) -> Result<()> {
        if !(self.scopes.alerts || self.scopes.write) {
            return Err(Error::Forbidden(
                "the token lacks the alerts:write scope".into(),
            ));
        }
        if self.role == Role::Observer {
            return Err(Error::Forbidden("role observer is read-only".into()));
        }
        Ok(())
    }

    /// Reporters may file reports (in any constituency they name; they still see only theirs).
    pub fn require_report_filing(&self) -> Result<()> {
        if !self.scopes.write {
            return Err(Error::Forbidden("the token lacks the write scope".into()));
        }
        if self.role == Role::Observer {
            return Err(Error::Forbidden("role observer is read-only".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, global: bool, cs: &[ConstituencyId]) -> Actor {
        Actor {
            user: UserId::new(1),
            username: "u".into(),
            role,
            global,
            constituencies: cs.to_vec(),
            scopes: Scopes::ALL,
        }
    }

    #[test]
    fn scoping_tlp_red_and_reporters() {
        let a = ConstituencyId::new(1);
        let b = ConstituencyId::new(2);
        let other = UserId::new(9);
        let rec = |c, tlp, named: &'static [UserId], by, inc| Guarded {
            constituency: c,
            tlp,
            named_users: named,
            created_by: by,
            is_incident: inc,
        };
        let h = actor(Role::Handler, false, &[a]);
        assert!(h.can_see(rec(Some(a), Tlp::Amber, &[], other, true)));
        assert!(!h.can_see(rec(Some(b), Tlp::Clear, &[], other, true)));
        assert!(!h.can_see(rec(None, Tlp::Clear, &[], other, true)));
        let admin = actor(Role::Admin, false, &[]);
        assert!(admin.can_see(rec(Some(b), Tlp::Amber, &[], other, true)));
        assert!(!admin.can_see(rec(Some(b), Tlp::Red, &[], other, true)));
        assert!(admin.can_see(rec(Some(b), Tlp::Red, &[], admin.user, true)));
        let rep = actor(Role::Reporter, false, &[a]);
        assert!(!rep.can_see(rec(Some(a), Tlp::Clear, &[], other, false)));
        assert!(rep.can_see(rec(Some(a), Tlp::Clear, &[], rep.user, false)));
        assert!(!rep.can_see(rec(Some(a), Tlp::Clear, &[], rep.user, true)));
        let obs = actor(Role::Observer, false, &[a]);
        assert!(
            obs.require_write(rec(Some(a), Tlp::Clear, &[], other, true))
                .is_err()
        );
        assert!(h.require_assign(Some(other)).is_err());
        assert!(h.require_assign(Some(h.user)).is_ok());
    }

    #[test]
    fn scopes_parse() {
        let s = Scopes::parse(&["write".to_string()]).ok();
        assert_eq!(
            s.map(|s| (s.read, s.write, s.admin)),
            Some((true, true, false))
        );
        assert!(Scopes::parse(&["root".to_string()]).is_err());
    }
}
