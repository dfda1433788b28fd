//! Users and constituencies (admin use cases) and the look-ups other use cases share.

use super::{
    App, ConstituencyPatch, NewConstituency, NewUser, UserPatch, check_version, diff, json, text,
    who,
};
use crate::access::Actor;
use crate::error::{Error, Result};
use crate::ids::{ConstituencyId, UserId};
use crate::model::{Constituency, Lang, Role, TargetKind, User};
use crate::secrets;

fn slug_ok(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-' || *c == b'_')
}

fn username_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || b"-_.@".contains(&c))
}

/// A DNS name: labels of letters, digits and hyphens (IDNs in their A-label form).
pub fn domain_ok(d: &str) -> bool {
    d.len() <= 253
        && d.contains('.')
        && d.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
        })
}

fn domains(field: &str, list: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for d in list {
        let d = d.trim().trim_end_matches('.').to_ascii_lowercase();
        if !domain_ok(&d) {
            return Err(Error::validation(
                field,
                format!("{d:?} is not a domain name"),
            ));
        }
        if !out.contains(&d) {
            out.push(d);
        }
    }
    Ok(out)
}

fn netblocks(list: &[String]) -> Result<Vec<ipnet::IpNet>> {
    let mut out = Vec::new();
    for n in list {
        let s = n.trim();
        let net: ipnet::IpNet = match s.parse() {
            Ok(net) => net,
            // A bare address is its own /32 or /128.
            Err(_) => match s.parse::<std::net::IpAddr>() {
                Ok(ip) => ipnet::IpNet::from(ip),
                Err(_) => {
                    return Err(Error::validation(
                        "netblocks",
                        format!("{s:?} is not a CIDR block"),
                    ));
                }
            },
        };
        let net = net.trunc();
        if !out.contains(&net) {
            out.push(net);
        }
    }
    Ok(out)
}

impl App {
    pub async fn resolve_user(&self, name_or_id: &str) -> Result<User> {
        let found = match UserId::parse(name_or_id) {
            Some(id) => self.store.get_user(id).await?,
            None => {
                self.store
                    .user_by_name(&name_or_id.trim().to_lowercase())
                    .await?
            }
        };
        found.ok_or_else(|| Error::validation("user", format!("no user {name_or_id:?}")))
    }

    /// Like [`App::resolve_user`], with `me` meaning the caller (assignment, filters).
    pub async fn resolve_owner(&self, actor: &Actor, name_or_id: &str) -> Result<UserId> {
        if name_or_id.trim() == "me" {
            return Ok(actor.user);
        }
        Ok(self.resolve_user(name_or_id).await?.id)
    }

    /// The id of a constituency named by slug or id. Slugs never change and constituencies
    /// are never deleted, so a found name is cached for the life of the process.
    pub async fn constituency_id(&self, slug_or_id: &str) -> Result<ConstituencyId> {
        let key = slug_or_id.trim().to_lowercase();
        if let Some(id) = self.names.read().ok().and_then(|m| m.get(&key).copied()) {
            return Ok(id);
        }
        let id = self.resolve_constituency(&key).await?.id;
        if let Ok(mut m) = self.names.write() {
            m.insert(key, id);
        }
        Ok(id)
    }

    /// A constituency's slug (cached: slugs never change); `None` when it does not exist.
    pub(crate) async fn constituency_slug(&self, id: ConstituencyId) -> Result<Option<String>> {
        if let Some(s) = self.slugs.read().ok().and_then(|m| m.get(&id).cloned()) {
            return Ok(Some(s));
        }
        let Some(c) = self.store.get_constituency(id).await? else {
            return Ok(None);
        };
        if let Ok(mut m) = self.slugs.write() {
            m.insert(id, c.slug.clone());
        }
        Ok(Some(c.slug))
    }

    /// Forgets cached facts about users (after a user changes on this node).
    fn forget_people(&self) {
        if let Ok(mut m) = self.escalations.write() {
            m.clear();
        }
    }

    pub async fn resolve_constituency(&self, slug_or_id: &str) -> Result<Constituency> {
        let found = match ConstituencyId::parse(slug_or_id) {
            Some(id) => self.store.get_constituency(id).await?,
            None => {
                self.store
                    .constituency_by_slug(&slug_or_id.trim().to_lowercase())
                    .await?
            }
        };
        found.ok_or_else(|| {
            Error::validation("constituency", format!("no constituency {slug_or_id:?}"))
        })
    }

    async fn constituency_ids(&self, list: &[String]) -> Result<Vec<ConstituencyId>> {
        let mut out = Vec::new();
        for s in list {
            let id = self
                .resolve_constituency(s)
                .await
                .map_err(|_| Error::validation("constituencies", format!("no constituency {s:?}")))?
                .id;
            if !out.contains(&id) {
                out.push(id);
            }
        }
        Ok(out)
    }

    pub async fn create_user(&self, actor: &Actor, input: NewUser) -> Result<User> {
        actor.require_admin()?;
        let username = input.username.trim().to_lowercase();
        if !username_ok(&username) {
            return Err(Error::validation(
                "username",
                "use 1-64 of a-z, 0-9, - _ . @",
            ));
        }
        if self.store.user_by_name(&username).await?.is_some() {
            return Err(Error::Duplicate {
                field: "username".into(),
            });
        }
        let role = input
            .role
            .ok_or_else(|| Error::validation("role", "required"))?;
        let password = input.password.unwrap_or_else(secrets::generate_password);
        let now = self.now();
        let u = User {
            id: UserId::new(self.now_ms()),
            display_name: input.display_name.unwrap_or_else(|| username.clone()),
            username,
            email: input.email,
            role,
            global: input.global || role == Role::Admin,
            constituencies: self.constituency_ids(&input.constituencies).await?,
            password_hash: Some(secrets::hash_password(&password)?),
            disabled: false,
            created_at: now,
            version: 1,
        };
        text("display_name", &u.display_name, 200, true)?;
        let entry = self.audit(
            who(actor),
            "user.create",
            TargetKind::User,
            u.id.to_string(),
            None,
            json(&u),
        );
        self.store.insert_user(&u, &entry).await?;
        self.forget_people();
        Ok(u)
    }

    pub async fn update_user(&self, actor: &Actor, id: UserId, p: UserPatch) -> Result<User> {
        let old = self.store.get_user(id).await?.ok_or(Error::NotFound)?;
        let self_service = actor.user == id
            && p.role.is_none()
            && p.global.is_none()
            && p.constituencies.is_none()
            && p.disabled.is_none();
        actor.require_write_scope()?;
        if !self_service {
            actor.require_admin()?;
        }
        check_version(p.version, old.version)?;
        let mut u = old.clone();
        if let Some(v) = p.display_name {
            text("display_name", &v, 200, true)?;
            u.display_name = v;
        }
        if let Some(v) = p.email {
            u.email = Some(v);
        }
        if let Some(v) = p.role {
            u.role = v;
        }
        if let Some(v) = p.global {
            u.global = v;
        }
        if let Some(v) = p.constituencies {
            u.constituencies = self.constituency_ids(&v).await?;
        }
        if let Some(v) = p.disabled {
            u.disabled = v;
        }
        let password_changed = p.password.is_some();
        if let Some(v) = p.password {
            u.password_hash = Some(secrets::hash_password(&v)?);
        }
        u.version = old.version + 1;
        let (b, mut a) = diff(
            &serde_json::to_value(&old).unwrap_or_default(),
            &serde_json::to_value(&u).unwrap_or_default(),
        );
        if password_changed && let Some(o) = a.as_object_mut() {
            o.insert("password".into(), "changed".into());
        }
        let entry = self.audit(
            who(actor),
            "user.update",
            TargetKind::User,
            id.to_string(),
            Some(b),
            Some(a),
        );
        self.store.update_user(&u, old.version, &entry).await?;
        self.forget_people();
        self.forget_tokens();
        Ok(u)
    }

    pub async fn list_users(&self, actor: &Actor) -> Result<Vec<User>> {
        actor.require_admin()?;
        self.store.list_users().await
    }

    /// Any signed-in user may list constituencies (names are not secret inside the team).
    pub async fn list_constituencies(&self, actor: &Actor) -> Result<Vec<Constituency>> {
        if !actor.scopes.read {
            return Err(Error::Forbidden("the token lacks the read scope".into()));
        }
        self.store.list_constituencies().await
    }

    pub async fn create_constituency(
        &self,
        actor: &Actor,
        input: NewConstituency,
    ) -> Result<Constituency> {
        actor.require_admin()?;
        let slug = input.slug.trim().to_lowercase();
        if !slug_ok(&slug) {
            return Err(Error::validation(
                "slug",
                "use 1-63 of a-z, 0-9, - and _, starting with a letter or digit",
            ));
        }
        text("name", &input.name, 200, true)?;
        if self.store.constituency_by_slug(&slug).await?.is_some() {
            return Err(Error::Duplicate {
                field: "slug".into(),
            });
        }
        let parent = match &input.parent {
            Some(p) => Some(
                self.resolve_constituency(p)
                    .await
                    .map_err(|_| Error::validation("parent", format!("no constituency {p:?}")))?
                    .id,
            ),
            None => None,
        };
        let now = self.now();
        let c = Constituency {
            id: ConstituencyId::new(self.now_ms()),
            slug,
            name: input.name.trim().to_string(),
            parent,
            netblocks: netblocks(&input.netblocks)?,
            domains: domains("domains", &input.domains)?,
            email_domains: domains("email_domains", &input.email_domains)?,
            default_lang: input.default_lang.unwrap_or(Lang::En),
            contacts: input.contacts,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let entry = self.audit(
            who(actor),
            "constituency.create",
            TargetKind::Constituency,
            c.id.to_string(),
            None,
            json(&c),
        );
        self.store.insert_constituency(&c, &entry).await?;
        self.forget_routing();
        Ok(c)
    }

    pub async fn update_constituency(
        &self,
        actor: &Actor,
        slug_or_id: &str,
        p: ConstituencyPatch,
    ) -> Result<Constituency> {
        actor.require_admin()?;
        let old = self
            .resolve_constituency(slug_or_id)
            .await
            .map_err(|_| Error::NotFound)?;
        check_version(p.version, old.version)?;
        let mut c = old.clone();
        if let Some(v) = p.name {
            text("name", &v, 200, true)?;
            c.name = v;
        }
        if let Some(parent) = p.parent {
            c.parent = match parent {
                Some(s) => {
                    let pc = self.resolve_constituency(&s).await.map_err(|_| {
                        Error::validation("parent", format!("no constituency {s:?}"))
                    })?;
                    // Refuse cycles: walk up from the new parent.
                    let mut cur = Some(pc.id);
                    while let Some(id) = cur {
                        if id == c.id {
                            return Err(Error::validation("parent", "would create a cycle"));
                        }
                        cur = self
                            .store
                            .get_constituency(id)
                            .await?
                            .and_then(|x| x.parent);
                    }
                    Some(pc.id)
                }
                None => None,
            };
        }
        if let Some(v) = p.netblocks {
            c.netblocks = netblocks(&v)?;
        }
        if let Some(v) = p.domains {
            c.domains = domains("domains", &v)?;
        }
        if let Some(v) = p.email_domains {
            c.email_domains = domains("email_domains", &v)?;
        }
        if let Some(v) = p.default_lang {
            c.default_lang = v;
        }
        if let Some(v) = p.contacts {
            c.contacts = v;
        }
        c.version = old.version + 1;
        c.updated_at = self.now();
        let (b, a) = diff(
            &serde_json::to_value(&old).unwrap_or_default(),
            &serde_json::to_value(&c).unwrap_or_default(),
        );
        let entry = self.audit(
            who(actor),
            "constituency.update",
            TargetKind::Constituency,
            c.id.to_string(),
            Some(b),
            Some(a),
        );
        self.store
            .update_constituency(&c, old.version, &entry)
            .await?;
        self.forget_routing();
        Ok(c)
    }
}
