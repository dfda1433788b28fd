//! Approvals: prior (the action waits), post-hoc (acted first, stays open until decided),
//! delegation for a period (both names recorded), and who may decide.

use super::*;
use hikeshi_core::model::Role;
use hikeshi_testkit::for_each_backend;
use jiff::SignedDuration;

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("list")
        .iter()
        .map(|a| s(&a["id"]))
        .collect()
}

#[tokio::test]
async fn prior_and_post_hoc_approvals_with_delegation() {
    for_each_backend(|t| async move {
        t.with_constituency("c").await;
        let h1 = t.with_user("hiro", Role::Handler, &["c"]).await;
        let h2 = t.with_user("haru", Role::Handler, &["c"]).await;
        let l1 = t.with_user("rei", Role::Lead, &["c"]).await;
        let l2 = t.with_user("ken", Role::Lead, &["c"]).await;
        let i = incident(&t, &h1, json!({"title": "C2 通信", "constituency": "c", "owner": "me"})).await;
        let cms = format!("/api/v1/incidents/{}/countermeasures", s(&i["ref"]));
        let cm = ok(
            t.post(&cms, &h1, json!({"kind": "block", "what": "203.0.113.9", "where": "境界 FW"})).await,
            StatusCode::CREATED,
        );
        let cm_path = format!("/api/v1/countermeasures/{}", s(&cm["id"]));

        // Prior approval: the countermeasure waits.
        problem(
            &t.post("/api/v1/approvals", &h1, json!({"countermeasure": s(&cm["id"])})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("reason"),
        );
        problem(
            &t.post("/api/v1/approvals", &h1, json!({"countermeasure": "nope", "reason": "x"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("countermeasure"),
        );
        let a1 = ok(
            t.post("/api/v1/approvals", &h1, json!({"countermeasure": s(&cm["id"]), "role": "lead", "reason": "業務影響あり"}))
                .await,
            StatusCode::CREATED,
        );
        assert_eq!((a1["status"].clone(), a1["post_hoc"].clone()), (json!("pending"), json!(false)));
        problem(
            &t.post("/api/v1/approvals", &h1, json!({"countermeasure": s(&cm["id"]), "reason": "again"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("countermeasure"),
        );
        problem(
            &t.patch(&cm_path, &h1, json!({"status": "active"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("approval"),
        );
        // Pending lists: leads see it, handlers and the requester do not.
        assert_eq!(ids(&ok(t.get("/api/v1/approvals", &l1).await, StatusCode::OK)), vec![s(&a1["id"])]);
        assert!(ids(&ok(t.get("/api/v1/approvals", &h2).await, StatusCode::OK)).is_empty());
        assert!(ids(&ok(t.get("/api/v1/approvals", &h1).await, StatusCode::OK)).is_empty());
        // The leads were told in-app.
        let n = ok(t.get("/api/v1/notifications", &l2).await, StatusCode::OK);
        assert_eq!(n[0]["event"], json!("approval.requested"));
        assert_eq!(n[0]["ref"], i["ref"]);
        let decide = format!("/api/v1/approvals/{}/decision", s(&a1["id"]));
        problem(&t.post(&decide, &h2, json!({"decision": "approve"})).await, StatusCode::FORBIDDEN, None);
        problem(&t.post(&decide, &h1, json!({"decision": "approve"})).await, StatusCode::FORBIDDEN, None);
        problem(
            &t.post(&decide, &l1, json!({"decision": "maybe"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("decision"),
        );
        let ok1 = ok(t.post(&decide, &l1, json!({"decision": "approve", "comment": "了承"})).await, StatusCode::OK);
        assert_eq!(ok1["status"], json!("approved"));
        assert_eq!(ok1["on_behalf_of"], Value::Null);
        problem(
            &t.post(&decide, &l2, json!({"decision": "reject", "comment": "遅い"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("status"),
        );
        let active = ok(t.patch(&cm_path, &h1, json!({"status": "active"})).await, StatusCode::OK);
        // The requester hears of the decision.
        let told = ok(t.get("/api/v1/notifications", &h1).await, StatusCode::OK);
        assert_eq!(told[0]["event"], json!("approval.decided"));
        assert_eq!(active["status"], json!("active"));

        // Post-hoc: act first (no request blocks it), ask afterwards; stays open until decided.
        let cm2 = ok(
            t.post(&cms, &h1, json!({"kind": "isolate", "what": "pc-042", "where": "EDR"})).await,
            StatusCode::CREATED,
        );
        let cm2_path = format!("/api/v1/countermeasures/{}", s(&cm2["id"]));
        ok(t.patch(&cm2_path, &h1, json!({"status": "active"})).await, StatusCode::OK);
        let a2 = ok(
            t.post("/api/v1/approvals", &h1, json!({"countermeasure": s(&cm2["id"]), "reason": "暗号化が進行中", "post_hoc": true}))
                .await,
            StatusCode::CREATED,
        );
        assert_eq!(a2["post_hoc"], json!(true));
        t.clock.advance(SignedDuration::from_hours(30));
        let open = ok(t.get(&format!("/api/v1/approvals/{}", s(&a2["id"])), &h1).await, StatusCode::OK);
        assert_eq!(open["status"], json!("pending"));
        assert_eq!(
            ids(&ok(t.get(&format!("{cm2_path}/approvals"), &h1).await, StatusCode::OK)),
            vec![s(&a2["id"])]
        );

        // ken delegates to haru while away; haru now sees and decides it, for ken.
        let now = t.app.now();
        let at = |h: i64| now.checked_add(SignedDuration::from_hours(h)).expect("t").to_string();
        problem(
            &t.post("/api/v1/delegations", &l2, json!({"delegate": "haru", "starts_at": at(0), "ends_at": at(-1)})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("ends_at"),
        );
        problem(
            &t.post("/api/v1/delegations", &l2, json!({"delegate": "ken", "ends_at": at(24)})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("delegate"),
        );
        problem(
            &t.post("/api/v1/delegations", &l2, json!({"delegate": "nobody", "ends_at": at(24)})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("delegate"),
        );
        let d = ok(
            t.post("/api/v1/delegations", &l2, json!({"delegate": "haru", "starts_at": at(0), "ends_at": at(24), "reason": "休暇"}))
                .await,
            StatusCode::CREATED,
        );
        let mine = ok(t.get("/api/v1/delegations", &h2).await, StatusCode::OK);
        assert_eq!(mine["received"][0]["id"], d["id"]);
        assert_eq!(ok(t.get("/api/v1/delegations", &l2).await, StatusCode::OK)["given"][0]["id"], d["id"]);
        assert_eq!(ids(&ok(t.get("/api/v1/approvals", &h2).await, StatusCode::OK)), vec![s(&a2["id"])]);
        let decide2 = format!("/api/v1/approvals/{}/decision", s(&a2["id"]));
        problem(
            &t.post(&decide2, &h2, json!({"decision": "reject"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("comment"),
        );
        let rejected = ok(
            t.post(&decide2, &h2, json!({"decision": "reject", "comment": "隔離範囲が広すぎる"})).await,
            StatusCode::OK,
        );
        let haru = t.app.resolve_user("haru").await.expect("haru").id.to_string();
        let ken = t.app.resolve_user("ken").await.expect("ken").id.to_string();
        assert_eq!(
            (rejected["status"].clone(), s(&rejected["decided_by"]), s(&rejected["on_behalf_of"])),
            (json!("rejected"), haru, ken)
        );
        // After the period, the delegate decides nothing more.
        let cm3 = ok(t.post(&cms, &h1, json!({"kind": "block", "what": "198.51.100.7"})).await, StatusCode::CREATED);
        let a3 = ok(
            t.post("/api/v1/approvals", &h1, json!({"countermeasure": s(&cm3["id"]), "reason": "r"})).await,
            StatusCode::CREATED,
        );
        t.clock.advance(SignedDuration::from_hours(25));
        assert!(ids(&ok(t.get("/api/v1/approvals", &h2).await, StatusCode::OK)).is_empty());
        problem(
            &t.post(&format!("/api/v1/approvals/{}/decision", s(&a3["id"])), &h2, json!({"decision": "approve"})).await,
            StatusCode::FORBIDDEN,
            None,
        );
        // A rejected prior approval keeps the action waiting until a new request is approved.
        ok(
            t.post(&format!("/api/v1/approvals/{}/decision", s(&a3["id"])), &l1, json!({"decision": "reject", "comment": "不要"})).await,
            StatusCode::OK,
        );
        problem(
            &t.patch(&format!("/api/v1/countermeasures/{}", s(&cm3["id"])), &h1, json!({"status": "active"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("approval"),
        );
    })
    .await;
}
