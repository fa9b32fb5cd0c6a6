//! The demo data makes the product's own examples true: every example query the
//! widget and the taxonomy offer finds at least ten people in the default demo set
//! (250,000 people, seed 42, as `make run` and `quarry serve --demo` seed it).

use quarry_server::search::cursor::CursorCodec;
use quarry_server::search::people::{self, PeopleQuery};
use quarry_server::search::SearchService;
use quarry_server::seed;
use quarry_shared::taxonomy::EXAMPLE_QUERIES;
use roaring::RoaringBitmap;

use crate::support::{store, Db};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_example_query_finds_at_least_ten_people_in_the_demo_set() {
    let store = store(Db::Sqlite).await.unwrap();
    let started = std::time::Instant::now();
    seed::seed_demo(
        &store,
        &seed::SeedOptions {
            people: 250_000,
            seed: 42,
            progress: false,
        },
    )
    .await
    .unwrap();
    eprintln!("seeded in {:?}", started.elapsed());
    let service = SearchService::build(&store).await.unwrap();
    eprintln!("indexed in {:?}", started.elapsed());
    let index = service.index();
    let codec = CursorCodec::new(b"examples");
    let mut thin = Vec::new();
    for q in EXAMPLE_QUERIES {
        let query = PeopleQuery {
            q: (*q).to_owned(),
            limit: 10,
            ..PeopleQuery::default()
        };
        let prepared = people::prepare(&query, "", &index).unwrap();
        let page = people::run(&index, &codec, &query, prepared, &RoaringBitmap::new()).unwrap();
        eprintln!("{q}: {}", page.pagination.total_records);
        if page.pagination.total_records < 10 {
            thin.push((*q, page.pagination.total_records));
        }
    }
    assert!(
        thin.is_empty(),
        "examples with fewer than 10 people: {thin:?}"
    );
}
