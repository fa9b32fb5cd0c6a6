//! Index snapshots: a snapshot loads back into an index that answers exactly as
//! the one built from the store; a snapshot of another data version is not used;
//! a damaged one is refused; and a server started on a store whose snapshot
//! matches loads it (a replica written snapshot serves the next start).

use quarry_server::search::index::PeopleIndex;
use quarry_server::search::people::{self, PeopleQuery};
use quarry_server::search::{snapshot, SearchService};

use crate::contract;
use crate::jobs::seed;

/// What an index answers for a few queries: ids in order, totals and facets.
fn answers(index: &PeopleIndex) -> Vec<String> {
    let codec = quarry_server::search::cursor::CursorCodec::new(b"snapshot test");
    let none = roaring::RoaringBitmap::new();
    [
        "CEOs",
        "marketing managers at SaaS companies in California",
        "engineers not in Texas",
        "recruiters at companies with 50+ employees",
    ]
    .iter()
    .map(|q| {
        let query = PeopleQuery {
            q: (*q).to_owned(),
            limit: 25,
            ..PeopleQuery::default()
        };
        let prepared = people::prepare(&query, "", index).expect("understood");
        let page = people::run(index, &codec, &query, prepared, &none).expect("search");
        format!(
            "{q}: {:?} {} {:?}",
            page.ids,
            page.pagination.total_records,
            serde_json::to_string(&page.facets).unwrap()
        )
    })
    .collect()
}

contract!(
    a_snapshot_answers_as_the_index_it_was_written_from,
    |store, _db| {
        seed(&store, 3_000).await;
        let built = SearchService::build(&store).await.unwrap().index();
        let dir = tempfile::tempdir().unwrap();
        let path = snapshot::write(dir.path(), &built, "db-1").unwrap();
        assert!(path.exists());
        let loaded = snapshot::load(dir.path(), built.version, "db-1")
            .unwrap()
            .expect("the snapshot of this version");
        assert_eq!(loaded.all, built.all);
        assert_eq!(loaded.roles, built.roles);
        assert_eq!(loaded.doc_rank_title, built.doc_rank_title);
        assert_eq!(loaded.doc_rank_name, built.doc_rank_name);
        assert_eq!(loaded.companies.len(), built.companies.len());
        assert_eq!(answers(&loaded), answers(&built));

        // Another data version: not this snapshot.
        assert!(snapshot::load(dir.path(), built.version + 1, "db-1")
            .unwrap()
            .is_none());
        // Another database at the same data version (recreated, or a directory
        // shared by two deployments): refused.
        assert!(snapshot::load(dir.path(), built.version, "db-2").is_err());
        // A damaged file is refused, never half-read.
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        assert!(snapshot::load(dir.path(), built.version, "db-1").is_err());
        std::fs::write(&path, b"not a snapshot").unwrap();
        assert!(snapshot::load(dir.path(), built.version, "db-1").is_err());
    }
);

contract!(
    a_start_writes_a_snapshot_and_the_next_start_loads_it,
    |store, _db| {
        seed(&store, 2_000).await;
        let dir = tempfile::tempdir().unwrap();
        let first = SearchService::start(&store, Some(dir.path().to_path_buf()))
            .await
            .unwrap();
        let version = first.index().version;
        let path = snapshot::path(dir.path(), version);
        let started = std::time::Instant::now();
        while !path.exists() {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(30),
                "no snapshot written"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        // The next start reads the snapshot: make it recognisably different (a
        // person left out) and see that difference come back.
        let database = store
            .server_secret(quarry_server::search::SNAPSHOT_DATABASE)
            .await
            .unwrap();
        let mut altered = snapshot::load(dir.path(), version, &database)
            .unwrap()
            .unwrap();
        let gone = altered.all.min().unwrap();
        altered.all.remove(gone);
        snapshot::write(dir.path(), &altered, &database).unwrap();
        let second = SearchService::start(&store, Some(dir.path().to_path_buf()))
            .await
            .unwrap();
        assert!(
            !second.index().all.contains(gone),
            "the start built instead of loading"
        );
        // New data: the snapshot no longer matches, and the next start builds.
        seed(&store, 2_010).await;
        let third = SearchService::start(&store, Some(dir.path().to_path_buf()))
            .await
            .unwrap();
        assert!(third.index().version > version);
        assert!(third.index().all.contains(gone));
        // Another database at the same data version does not take this one's
        // snapshot (a fresh store seeded alike ends at the same version).
        let other = crate::support::store(crate::support::Db::Sqlite)
            .await
            .unwrap();
        seed(&other, 2_000).await;
        seed(&other, 2_010).await;
        assert_eq!(other.data_version().await.unwrap(), third.index().version);
        let mut copy = snapshot::load(dir.path(), third.index().version, &database)
            .unwrap()
            .expect("the third start's snapshot");
        copy.all.remove(gone);
        snapshot::write(dir.path(), &copy, &database).unwrap();
        let fourth = SearchService::start(&other, Some(dir.path().to_path_buf()))
            .await
            .unwrap();
        assert!(
            fourth.index().all.contains(gone),
            "another database's snapshot was used"
        );
    }
);
