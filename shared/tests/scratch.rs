#[test]
fn scratch() {
    let qs = std::fs::read_to_string("/tmp/q.txt").unwrap();
    for q in qs.lines() {
        let i = quarry_shared::interpret::interpret(q);
        let k = |t: &[quarry_shared::interpret::Term]| {
            t.iter()
                .map(|t| t.key.as_str())
                .collect::<Vec<_>>()
                .join(",")
        };
        println!("{q:?}\n   R[{}] S[{}] D[{}] I[{}] city={:?} st={:?} sts={:?} cities={:?} min={:?} max={:?} kw={:?} n={:?} all={} W={:?}",
          k(&i.roles), k(&i.seniorities), k(&i.departments), k(&i.industries), i.filters.company_city, i.filters.company_state, i.filters.company_states, i.filters.company_cities, i.filters.employee_count_min, i.filters.employee_count_max, i.filters.keywords, i.max_records, i.all_employees, i.warnings);
    }
}
