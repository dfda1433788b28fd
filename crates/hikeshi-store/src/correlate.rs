//! Correlation reads: a value by key, the records linking values, the records in a /24 or
//! /48, and the visibility facts of records found that way. Every query is an index range
//! with a LIMIT, so its cost is bounded by the fan-out cut-off, not by the table size.

use crate::codec::R;
use crate::connect::{SqlStore, db_err};
use crate::sql::Sql;
use hikeshi_core::Result;
use hikeshi_core::ids::*;
use hikeshi_core::model::*;
use hikeshi_core::observables::{Kind, RecordFacts, ValueStats, kind_code, kind_from_code};

/// Values per UNION ALL statement.
const UNION: usize = 50;

impl SqlStore {
    pub(crate) async fn find_value_impl(
        &self,
        kind: Kind,
        value: &str,
    ) -> Result<Option<ValueStats>> {
        let row = Sql::new(
            "SELECT id, kind, value, prefix, records, common FROM obs_values WHERE kind = ",
        )
        .bind(kind_code(kind))
        .push(" AND value = ")
        .bind(value)
        .query_on(self.backend)
        .fetch_optional(&self.read)
        .await
        .map_err(db_err)?;
        let Some(row) = row else { return Ok(None) };
        let r = R(&row);
        Ok(Some(ValueStats {
            id: r.i("id")?,
            kind: kind_from_code(r.i("kind")?).unwrap_or(kind),
            value: r.s("value")?,
            prefix: r.oi("prefix")?,
            records: r.i("records")?,
            common: r.b("common")?,
        }))
    }

    pub(crate) async fn records_of_values_impl(
        &self,
        value_ids: &[i64],
        limit: i64,
    ) -> Result<Vec<(i64, String, String)>> {
        let mut out = Vec::new();
        for chunk in value_ids.chunks(UNION) {
            let mut s = Sql::default();
            for (i, vid) in chunk.iter().enumerate() {
                if i > 0 {
                    s.push(" UNION ALL ");
                }
                s.push("SELECT * FROM (SELECT l.value_id, r.kind, r.record_id FROM obs_links l JOIN obs_records r ON r.no = l.record_no WHERE l.value_id = ")
                    .bind(*vid)
                    .push(" ORDER BY l.record_no DESC LIMIT ")
                    .bind(limit)
                    .push(&format!(") q{i}"));
            }
            for row in s
                .query_on(self.backend)
                .fetch_all(&self.read)
                .await
                .map_err(db_err)?
            {
                let r = R(&row);
                out.push((r.i("value_id")?, r.s("kind")?, r.s("record_id")?));
            }
        }
        Ok(out)
    }

    pub(crate) async fn records_in_prefix_impl(
        &self,
        prefix: i64,
        except_value: i64,
        limit: i64,
    ) -> Result<Vec<(String, String)>> {
        let rows = Sql::new(
            "SELECT r.kind, r.record_id FROM obs_values v JOIN obs_links l ON l.value_id = v.id \
             JOIN obs_records r ON r.no = l.record_no WHERE v.prefix = ",
        )
        .bind(prefix)
        .push(" AND v.id <> ")
        .bind(except_value)
        // No ORDER BY: the scan stops at the limit however busy the network is.
        .push(" AND v.common = 0 LIMIT ")
        .bind(limit)
        .query_on(self.backend)
        .fetch_all(&self.read)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|row| {
                let r = R(row);
                Ok((r.s("kind")?, r.s("record_id")?))
            })
            .collect()
    }

    pub(crate) async fn record_facts_impl(
        &self,
        ids: &[(String, String)],
    ) -> Result<Vec<RecordFacts>> {
        let mut out = Vec::new();
        for (table, kind, title) in [
            ("reports", TargetKind::Report, "subject"),
            ("incidents", TargetKind::Incident, "title"),
        ] {
            let want: Vec<String> = ids
                .iter()
                .filter(|(k, _)| k == table.trim_end_matches('s'))
                .map(|(_, id)| id.clone())
                .collect();
            if want.is_empty() {
                continue;
            }
            for chunk in want.chunks(500) {
                let mut s = Sql::new(&format!(
                    "SELECT id, ref, {title} AS title, status, constituency_id, tlp, named_users, created_by, created_at FROM {table} WHERE id IN "
                ));
                s.bind_list(chunk.iter().cloned());
                for row in s
                    .query_on(self.backend)
                    .fetch_all(&self.read)
                    .await
                    .map_err(db_err)?
                {
                    let r = R(&row);
                    out.push(RecordFacts {
                        kind,
                        id: r.s("id")?,
                        reference: r.s("ref")?,
                        title: r.s("title")?,
                        status: r.s("status")?,
                        constituency: r.oid("constituency_id", ConstituencyId::parse)?,
                        tlp: r.e("tlp", Tlp::parse_field)?,
                        named_users: r.json("named_users")?,
                        created_by: r.id("created_by", UserId::parse)?,
                        created_at: r.t("created_at")?,
                    });
                }
            }
        }
        Ok(out)
    }
}
