//! Settings, constituencies, users, tokens and sessions.

use super::fx::*;
use hikeshi_core::Error;
use hikeshi_core::ids::*;
use hikeshi_core::model::*;
use hikeshi_core::ports::{Session, Store};
use hikeshi_testkit::for_each_db;

#[tokio::test]
async fn installation_key_is_created_once() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let k = s.installation_key().await.expect("key");
        assert_eq!(k.len(), 32);
        assert_eq!(s.installation_key().await.expect("key again"), k);
    })
    .await;
}

#[tokio::test]
async fn constituencies_round_trip_conflict_missing_duplicate() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let c = constituency("acme");
        s.insert_constituency(&c, &audit("c", TargetKind::Constituency, c.id))
            .await
            .expect("insert");
        assert_eq!(
            s.get_constituency(c.id).await.expect("get"),
            Some(c.clone())
        );
        assert_eq!(
            s.constituency_by_slug("acme").await.expect("by slug"),
            Some(c.clone())
        );
        assert_eq!(s.constituency_by_slug("nope").await.expect("by slug"), None);
        assert_eq!(
            s.get_constituency(ConstituencyId::new(1))
                .await
                .expect("get missing"),
            None
        );

        let mut c2 = c.clone();
        c2.name = "改名".into();
        c2.netblocks = vec!["198.51.100.0/24".parse().expect("cidr")];
        c2.version = 2;
        s.update_constituency(&c2, 1, &audit("u", TargetKind::Constituency, c.id))
            .await
            .expect("update");
        assert_eq!(
            s.get_constituency(c.id).await.expect("get"),
            Some(c2.clone())
        );
        let stale = s
            .update_constituency(&c2, 1, &audit("u", TargetKind::Constituency, c.id))
            .await;
        assert!(
            matches!(stale, Err(Error::Conflict { current: 2 })),
            "{stale:?}"
        );
        let mut ghost = c2.clone();
        ghost.id = ConstituencyId::new(2);
        let missing = s
            .update_constituency(&ghost, 1, &audit("u", TargetKind::Constituency, ghost.id))
            .await;
        assert!(matches!(missing, Err(Error::NotFound)), "{missing:?}");

        let mut dup = constituency("acme");
        dup.id = ConstituencyId::new(3);
        let d = s
            .insert_constituency(&dup, &audit("c", TargetKind::Constituency, dup.id))
            .await;
        assert!(
            matches!(&d, Err(Error::Duplicate { field }) if field == "slug"),
            "{d:?}"
        );
        let other = constituency("beta");
        s.insert_constituency(&other, &audit("c", TargetKind::Constituency, other.id))
            .await
            .expect("insert beta");
        let slugs: Vec<String> = s
            .list_constituencies()
            .await
            .expect("list")
            .into_iter()
            .map(|c| c.slug)
            .collect();
        assert_eq!(slugs, ["acme", "beta"]);
    })
    .await;
}

#[tokio::test]
async fn users_round_trip_conflict_missing_duplicate() {
    for_each_db(|db| async move {
        let s = db.open().await;
        assert_eq!(s.count_users().await.expect("count"), 0);
        let c = ConstituencyId::new(5);
        let u = user("alice", Role::Handler, &[c]);
        s.insert_user(&u, &audit("c", TargetKind::User, u.id))
            .await
            .expect("insert");
        assert_eq!(s.get_user(u.id).await.expect("get"), Some(u.clone()));
        assert_eq!(
            s.user_by_name("alice").await.expect("by name"),
            Some(u.clone())
        );
        assert_eq!(s.user_by_name("bob").await.expect("by name"), None);

        let mut u2 = u.clone();
        u2.role = Role::Lead;
        u2.disabled = true;
        u2.global = true;
        u2.email = None;
        u2.version = 2;
        s.update_user(&u2, 1, &audit("u", TargetKind::User, u.id))
            .await
            .expect("update");
        assert_eq!(s.get_user(u.id).await.expect("get"), Some(u2.clone()));
        assert!(matches!(
            s.update_user(&u2, 1, &audit("u", TargetKind::User, u.id))
                .await,
            Err(Error::Conflict { current: 2 })
        ));
        let mut ghost = u2.clone();
        ghost.id = UserId::new(9);
        assert!(matches!(
            s.update_user(&ghost, 1, &audit("u", TargetKind::User, ghost.id))
                .await,
            Err(Error::NotFound)
        ));

        let mut dup = user("alice", Role::Observer, &[]);
        dup.id = UserId::new(10);
        let d = s
            .insert_user(&dup, &audit("c", TargetKind::User, dup.id))
            .await;
        assert!(
            matches!(&d, Err(Error::Duplicate { field }) if field == "username"),
            "{d:?}"
        );
        let b = user("bob", Role::Observer, &[]);
        s.insert_user(&b, &audit("c", TargetKind::User, b.id))
            .await
            .expect("insert bob");
        let names: Vec<String> = s
            .list_users()
            .await
            .expect("list")
            .into_iter()
            .map(|u| u.username)
            .collect();
        assert_eq!(names, ["alice", "bob"]);
        assert_eq!(s.count_users().await.expect("count"), 2);
    })
    .await;
}

#[tokio::test]
async fn tokens_and_sessions() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let (alice, bob) = (UserId::new(1), UserId::new(2));
        let tok = |user, name: &str| ApiToken {
            id: TokenId::new(ms(t0())),
            user,
            name: name.into(),
            scopes: vec!["read".into()],
            created_at: t0(),
            revoked: false,
        };
        let (ta, tb) = (tok(alice, "a"), tok(bob, "b"));
        s.insert_token(&ta, "digest-a", &audit("t", TargetKind::Token, ta.id))
            .await
            .expect("insert a");
        s.insert_token(&tb, "digest-b", &audit("t", TargetKind::Token, tb.id))
            .await
            .expect("insert b");
        assert_eq!(
            s.token_by_digest("digest-a").await.expect("by digest"),
            Some(ta.clone())
        );
        assert_eq!(
            s.token_by_digest("digest-x").await.expect("by digest"),
            None
        );
        assert_eq!(
            s.list_tokens(Some(alice)).await.expect("list mine"),
            vec![ta.clone()]
        );
        assert_eq!(s.list_tokens(None).await.expect("list all").len(), 2);
        s.revoke_token(ta.id, &audit("r", TargetKind::Token, ta.id))
            .await
            .expect("revoke");
        assert!(
            s.token_by_digest("digest-a")
                .await
                .expect("by digest")
                .is_some_and(|t| t.revoked)
        );
        assert!(matches!(
            s.revoke_token(TokenId::new(3), &audit("r", TargetKind::Token, "x"))
                .await,
            Err(Error::NotFound)
        ));

        let sess = Session {
            user: alice,
            csrf: "csrf-1".into(),
            expires_at: at("2026-04-01T12:00:00.123456789Z"),
        };
        s.insert_session("sess-digest", &sess)
            .await
            .expect("insert session");
        let got = s
            .session("sess-digest")
            .await
            .expect("session")
            .expect("present");
        assert_eq!((got.user, got.csrf.as_str()), (alice, "csrf-1"));
        assert_eq!(
            got.expires_at,
            at("2026-04-01T12:00:00.123456Z"),
            "microsecond-truncated"
        );
        assert!(s.session("other").await.expect("session").is_none());
        s.delete_session("sess-digest").await.expect("delete");
        assert!(s.session("sess-digest").await.expect("session").is_none());
    })
    .await;
}

/// After a bulk load the planner gets statistics at once (PostgreSQL); SQLite has none to
/// gather and the call does nothing there.
#[tokio::test]
async fn analyze_gives_the_planner_statistics() {
    for_each_db(|db| async move {
        let s = db.open().await;
        for n in 0..3 {
            let i = incident(&format!("load {n}"), UserId::new(1), None, Tlp::Amber, t0());
            s.insert_incident(&i, &audit("incident.create", TargetKind::Incident, i.id))
                .await
                .expect("incident");
        }
        s.analyze().await.expect("analyze");
        if db.backend == hikeshi_testkit::Backend::Postgres {
            // reltuples is -1 until the table is first analysed or vacuumed.
            assert_eq!(
                db.count("pg_class WHERE relname = 'incidents' AND reltuples = 3")
                    .await,
                1
            );
        }
        assert_eq!(db.count("incidents").await, 3);
    })
    .await;
}
