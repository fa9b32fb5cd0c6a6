//! The data tools against both backends: import validation and atomicity, upserts,
//! the export → import round trip and the demo generator.

use std::path::Path;

use quarry_server::data::{export, import};
use quarry_server::seed;
use quarry_server::store::Store;

use crate::contract;
use crate::support::{write_file, Db};

const COMPANIES: &str = "\
company_id,name,domain,website,phone,linkedin_url,revenue,employee_count,industry,sic,naics,city,state,country,keywords
c1,Acme Cloud,https://www.AcmeCloud.io/about,acmecloud.io,(702) 555-0100,linkedin.com/company/acme,5000000,42,software,7372,511210,Las Vegas,Nevada,US,SaaS; B2B
c2,Boise Dental,boisedental.com,,,,,8,dental_practice,8021,621210,Boise,ID,,
";

const PEOPLE: &str = "\
person_id,company_id,first_name,last_name,job_title,seniority,department,business_email,email_status,email_verified_at,mobile_phone,linkedin_url,city,state
p1,c1,Jordan,Lee,Chief Marketing Officer,c_suite,marketing,Jordan.Lee@AcmeCloud.io,verified,2026-05-01,702-555-0143,https://www.linkedin.com/in/Jordan-Lee/,Las Vegas,NV
p2,c2,Sam,Ortiz,Dentist,senior,operations,sam@boisedental.com,unverified,,,,Boise,ID
";

fn options(
    companies: Option<&Path>,
    people: Option<&Path>,
    skip_invalid: bool,
) -> import::ImportOptions {
    import::ImportOptions {
        companies: companies.map(Path::to_path_buf),
        people: people.map(Path::to_path_buf),
        skip_invalid,
        progress: false,
    }
}

async fn counts(store: &Store) -> (u64, u64) {
    store.data_counts().await.unwrap()
}

contract!(import_normalises_and_upserts, |store, _db| {
    let dir = tempfile::tempdir().unwrap();
    let companies = write_file(dir.path(), "companies.csv", COMPANIES);
    let people = write_file(dir.path(), "people.csv", PEOPLE);
    let report = import::import(&store, &options(Some(&companies), Some(&people), false))
        .await
        .unwrap();
    assert_eq!((report.companies, report.people), (2, 2));
    assert!(report.errors.is_empty());
    assert_eq!(counts(&store).await, (2, 2));

    // What was stored is normalised: read it back through the export.
    let out = dir.path().join("out");
    export::export(&store, &out).await.unwrap();
    let exported = std::fs::read_to_string(out.join("companies.csv")).unwrap();
    assert!(exported.contains("c1,Acme Cloud,acmecloud.io,https://acmecloud.io,+17025550100,https://www.linkedin.com/company/acme,5000000,42,software,7372,511210,Las Vegas,NV,US,saas;b2b"), "{exported}");
    let exported = std::fs::read_to_string(out.join("people.csv")).unwrap();
    assert!(exported.contains("p1,c1,Jordan,Lee,Chief Marketing Officer,c_suite,marketing,jordan.lee@acmecloud.io,verified,2026-05-01T00:00:00Z,+17025550143,https://www.linkedin.com/in/jordan-lee,Las Vegas,NV"), "{exported}");

    // Re-importing the same ids updates rows and never duplicates them.
    let renamed = PEOPLE.replace("Chief Marketing Officer", "CMO");
    let people = write_file(dir.path(), "people.csv", &renamed);
    import::import(&store, &options(Some(&companies), Some(&people), false))
        .await
        .unwrap();
    assert_eq!(counts(&store).await, (2, 2));
    export::export(&store, &out).await.unwrap();
    let exported = std::fs::read_to_string(out.join("people.csv")).unwrap();
    assert!(exported.contains("p1,c1,Jordan,Lee,CMO,"), "{exported}");
    assert!(!exported.contains("Chief Marketing Officer"));

    // People may reference companies imported earlier.
    let more = "person_id,company_id,first_name,last_name,job_title\np3,c2,Ana,Ruiz,Hygienist\n";
    let people = write_file(dir.path(), "more.csv", more);
    import::import(&store, &options(None, Some(&people), false))
        .await
        .unwrap();
    assert_eq!(counts(&store).await, (2, 3));
});

contract!(
    a_bad_file_reports_every_bad_row_and_imports_nothing,
    |store, _db| {
        let dir = tempfile::tempdir().unwrap();
        let companies = write_file(dir.path(), "companies.csv", COMPANIES);
        let bad_people = format!(
            "{PEOPLE}\
p3,c1,Ann,Bell,CEO,c_suite,executive,ann@,verified,,,,,\n\
p4,c1,Bo,Chan,CTO\n\
p1,c1,Dup,Licate,CTO,c_suite,engineering,,,,,,,\n\
p5,c9,No,Company,CEO,,,,,,,,,\n\
p6,c1,Cy,Dee,VP Sales,boss,sales,,,,12,,,Atlantis\n\
p7,c1,Ed,Fox,Engineer,,,,,,,,,\n"
        );
        let people = write_file(dir.path(), "people.csv", &bad_people);
        let err = import::import(&store, &options(Some(&companies), Some(&people), false))
            .await
            .unwrap_err();
        let import::ImportError::Rejected(report) = err else {
            panic!("expected a rejection, got {err}")
        };
        let lines: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
        lines,
        [
            "people.csv:4: business_email: not a valid email address (\"ann@\")",
            "people.csv:5: expected 14 fields, found 5",
            "people.csv:6: person_id: duplicate person_id \"p1\" (first on line 2)",
            "people.csv:7: company_id: unknown company_id \"c9\" (not in the companies file nor already imported)",
            "people.csv:8: seniority: \"boss\" is not a known seniority key",
            "people.csv:8: mobile_phone: not a valid phone number (\"12\")",
            "people.csv:8: state: not a US state code or name (\"Atlantis\")",
        ]
    );
        // Nothing at all was written, not even the valid companies and people.
        assert_eq!(counts(&store).await, (0, 0));

        // --skip-invalid keeps the valid rows and reports the rest.
        let report = import::import(&store, &options(Some(&companies), Some(&people), true))
            .await
            .unwrap();
        assert_eq!((report.companies, report.people), (2, 3));
        assert_eq!(report.errors.len(), 7);
        assert_eq!(counts(&store).await, (2, 3));
    }
);

contract!(header_problems_reject_the_file, |store, _db| {
    let dir = tempfile::tempdir().unwrap();
    let companies = write_file(
        dir.path(),
        "companies.csv",
        "company_id,name,colour\nc1,Acme,red\n",
    );
    let err = import::import(&store, &options(Some(&companies), None, true))
        .await
        .unwrap_err();
    // Even with --skip-invalid, a header error means no row is importable.
    let report = match err {
        import::ImportError::Rejected(r) => r,
        other => {
            // skip_invalid commits the (empty) valid set; the header errors are reported.
            panic!("unexpected {other}")
        }
    };
    let lines: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
    assert!(
        lines[0].starts_with("companies.csv:1: unknown column \"colour\""),
        "{lines:?}"
    );
    assert_eq!(
        lines[1],
        "companies.csv:1: domain: required column is missing"
    );
    assert_eq!(counts(&store).await, (0, 0));
});

contract!(
    malformed_bytes_are_reported_not_panicked_on,
    |store, _db| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("companies.csv");
        let mut bytes = b"company_id,name,domain\nc1,Acme,acme.com\nc2,".to_vec();
        bytes.extend_from_slice(&[0xff, 0xfe]);
        bytes.extend_from_slice(b",b.com\nc3,\"unterminated,c.com\n");
        std::fs::write(&path, bytes).unwrap();
        let err = import::import(&store, &options(Some(&path), None, false))
            .await
            .unwrap_err();
        let import::ImportError::Rejected(report) = err else {
            panic!("expected a rejection")
        };
        let lines: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
        assert_eq!(lines[0], "companies.csv:3: name: is not valid UTF-8");
        assert!(lines.len() >= 2, "{lines:?}");
        assert_eq!(counts(&store).await, (0, 0));
    }
);

contract!(missing_files_fail_cleanly, |store, _db| {
    let err = import::import(
        &store,
        &options(Some(Path::new("/nonexistent/companies.csv")), None, false),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, import::ImportError::Io { .. }), "{err}");
    let err = import::import(&store, &options(None, None, false))
        .await
        .unwrap_err();
    assert!(matches!(err, import::ImportError::NothingToImport));
});

contract!(seed_export_import_round_trip, |store, db| {
    let report = seed::seed_demo(
        &store,
        &seed::SeedOptions {
            people: 2_000,
            seed: 7,
            progress: false,
        },
    )
    .await
    .unwrap();
    assert_eq!(report.people, 2_000);
    assert_eq!(counts(&store).await, (report.companies, 2_000));

    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first");
    export::export(&store, &first).await.unwrap();

    // Import the export into a fresh database and export again: byte-identical.
    let other = crate::support::store(db).await.unwrap();
    let imported = import::import(
        &other,
        &options(
            Some(&first.join("companies.csv")),
            Some(&first.join("people.csv")),
            false,
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        (imported.companies, imported.people),
        (report.companies, 2_000)
    );
    let second = dir.path().join("second");
    export::export(&other, &second).await.unwrap();
    for file in ["companies.csv", "people.csv"] {
        let a = std::fs::read(first.join(file)).unwrap();
        let b = std::fs::read(second.join(file)).unwrap();
        assert!(a == b, "{file} differs after the round trip");
    }

    // Seeding again with the same seed rewrites the same rows: nothing changes.
    seed::seed_demo(
        &store,
        &seed::SeedOptions {
            people: 2_000,
            seed: 7,
            progress: false,
        },
    )
    .await
    .unwrap();
    let third = dir.path().join("third");
    export::export(&store, &third).await.unwrap();
    assert_eq!(
        std::fs::read(first.join("people.csv")).unwrap(),
        std::fs::read(third.join("people.csv")).unwrap()
    );
});

contract!(
    a_seed_into_empty_tables_builds_the_same_indexes,
    |store, db| {
        // The seed drops the secondary indexes and builds them once at the end: what
        // it leaves must be what the migrations made.
        let sql = match db {
            Db::Sqlite => {
                "select name || ': ' || sql from sqlite_master where type = 'index' \
             and tbl_name in ('company', 'person') and sql is not null order by name"
            }
            Db::Postgres => {
                "select indexname || ': ' || indexdef from pg_indexes \
             where tablename in ('company', 'person') and schemaname = current_schema() \
             order by indexname"
            }
        };
        let migrated = store.strings(sql).await;
        assert!(migrated.len() >= 10, "{migrated:?}");
        crate::jobs::seed(&store, 300).await;
        assert_eq!(store.strings(sql).await, migrated);
        assert_eq!(store.data_counts().await.unwrap().1, 300);
        // A second seed (tables not empty) keeps them as they are.
        crate::jobs::seed(&store, 300).await;
        assert_eq!(store.strings(sql).await, migrated);
    }
);
