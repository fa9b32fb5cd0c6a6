//! A wide table of queries beyond `examples/queries.jsonl`: synonyms, plurals, casing,
//! punctuation, places, sizes, counts, keywords and warnings. Each case lists what it
//! expects in a compact spec; every field it does not list must be empty, and a case
//! without `warn~` must produce no warning at all.
//!
//! Spec: `;`-separated `field=value` items. Lists are comma-separated.
//! roles, sen, dept, ind, kw, states, cities, loc: exact lists · city, state: exact ·
//! min, max, n: numbers · all: all_employees · `cities~X`: the city list contains X ·
//! `warn~text`: some warning contains text (repeatable).

use quarry_shared::interpret::{interpret, Interpretation, Term};

const CASES: &[(&str, &str)] = &[
    // Roles, synonyms, plurals, possessives, casing.
    ("CEOs", "roles=ceo"),
    ("ceo", "roles=ceo"),
    ("CEO's", "roles=ceo"),
    ("CEOs'", "roles=ceo"),
    ("CEOS'S", "roles=ceo"),
    ("chief executive", "roles=ceo"),
    ("Chief Executive Officers", "roles=ceo"),
    ("cfos and coos", "roles=cfo,coo"),
    ("CEOs, CFOs and COOs", "roles=ceo,cfo,coo"),
    ("chief revenue officers", "roles=cro"),
    ("CIOs", "roles=cio"),
    ("CISOs", "roles=ciso"),
    ("chief information security officers", "roles=ciso"),
    ("chief product officers", "roles=cpo"),
    ("CHROs", "roles=chro"),
    ("chief people officers", "roles=chro"),
    ("CMO", "roles=cmo"),
    ("presidents", "roles=president"),
    ("President & CEO", "roles=president,ceo"),
    ("owners", "roles=owner"),
    ("business owners", "roles=owner"),
    ("co-founders", "roles=founder"),
    ("cofounders", "roles=founder"),
    ("Co-Founder & CEO", "roles=founder,ceo"),
    ("managing partners", "roles=partner"),
    ("partners at law firms", "roles=partner; ind=law_firm"),
    ("general managers", "roles=general_manager"),
    ("lawyers", "roles=attorney"),
    ("attorneys", "roles=attorney"),
    ("realtors", "roles=real_estate_agent"),
    ("real estate agents", "roles=real_estate_agent"),
    ("brokers", "roles=broker"),
    ("financial advisors", "roles=financial_advisor"),
    ("wealth managers", "roles=financial_advisor"),
    ("CPAs", "roles=accountant"),
    ("accountants", "roles=accountant"),
    ("physicians", "roles=doctor"),
    ("doctors", "roles=doctor"),
    ("dentists", "roles=dentist"),
    ("orthodontists", "roles=dentist"),
    ("registered nurses", "roles=nurse"),
    ("recruiters", "roles=recruiter"),
    ("software engineers", "roles=software_engineer"),
    ("senior software engineers", "roles=software_engineer; sen=senior"),
    ("developers", "roles=software_engineer"),
    ("data scientists", "roles=data_scientist"),
    ("account executives", "roles=account_executive"),
    ("AEs", "roles=account_executive"),
    ("BDRs", "roles=sdr"),
    ("SDRs", "roles=sdr"),
    ("sales development reps", "roles=sdr"),
    ("business development representatives", "roles=sdr"),
    ("office managers", "roles=office_manager"),
    ("school principals", "roles=principal"),
    ("principals in Ohio", "roles=principal; state=OH"),
    ("pastors", "roles=pastor"),
    ("architects", "roles=architect"),
    ("insurance agents", "roles=insurance_agent"),
    ("consultants", "roles=consultant"),
    ("Principal Engineers", "dept=engineering"),
    ("partner managers", "sen=manager"),
    // Seniority + department, not roles.
    ("VP of Sales", "sen=vp; dept=sales"),
    ("VPs of Sales", "sen=vp; dept=sales"),
    ("vp marketing", "sen=vp; dept=marketing"),
    ("Vice President of Engineering", "sen=vp; dept=engineering"),
    ("SVP sales", "sen=vp; dept=sales"),
    ("sales directors", "sen=director; dept=sales"),
    ("directors of IT", "sen=director; dept=it"),
    ("directors of it", "sen=director; dept=it"),
    ("IT managers", "sen=manager; dept=it"),
    ("head of engineering", "sen=head; dept=engineering"),
    ("heads of engineering", "sen=head; dept=engineering"),
    ("marketing managers", "sen=manager; dept=marketing"),
    ("HR managers", "sen=manager; dept=hr"),
    ("human resources directors", "sen=director; dept=hr"),
    ("head of people", "sen=head; dept=hr"),
    ("customer success managers", "sen=manager; dept=customer_success"),
    ("product managers", "sen=manager; dept=product"),
    ("directors of marketing and sales", "sen=director; dept=marketing,sales"),
    ("head of security", "sen=head; dept=security"),
    ("VP Finance", "sen=vp; dept=finance"),
    ("chief legal officers", "sen=c_suite; dept=legal"),
    ("executive directors", "sen=c_suite; dept=executive"),
    ("decision makers", "sen=owner,founder,c_suite,partner,vp,head,director"),
    ("decision-makers", "sen=owner,founder,c_suite,partner,vp,head,director"),
    ("executives", "sen=c_suite"),
    ("C-level", "sen=c_suite"),
    ("C-suite execs", "sen=c_suite"),
    ("leaders", "sen=c_suite,vp,head,director"),
    ("leadership", "sen=c_suite,vp,head,director"),
    ("sales leaders", "sen=c_suite,vp,head,director; dept=sales"),
    ("interns", "sen=intern"),
    ("entry-level marketers", "sen=entry; dept=marketing"),
    (
        "VP Sales or Head of Growth at fintech companies in NY or NJ",
        "sen=vp,head; dept=sales,growth; ind=fintech; states=NY,NJ",
    ),
    // Industries, and role/industry pairs that differ by one word.
    ("SaaS", "ind=software"),
    ("software companies", "ind=software"),
    ("fintechs", "ind=fintech"),
    ("e-commerce brands", "ind=ecommerce"),
    ("online stores", "ind=ecommerce"),
    ("marketing agencies", "ind=marketing_agency"),
    ("law firms", "ind=law_firm"),
    ("real estate brokerages", "ind=real_estate"),
    ("insurance agencies", "ind=insurance_agency"),
    ("medical practices", "ind=healthcare_practice"),
    ("clinics", "ind=healthcare_practice"),
    ("dental practices", "ind=dental_practice"),
    ("dentist offices", "ind=dental_practice"),
    ("hospitals", "ind=hospital"),
    ("CPA firms", "ind=accounting_firm"),
    ("accounting firms", "ind=accounting_firm"),
    ("credit unions", "ind=bank"),
    ("banks", "ind=bank"),
    ("restaurants", "ind=restaurant"),
    ("hotels", "ind=hospitality"),
    ("retailers", "ind=retail"),
    ("schools", "ind=education"),
    ("non-profits", "ind=nonprofit"),
    ("charities", "ind=nonprofit"),
    ("recruiting agencies", "ind=staffing"),
    ("staffing firms", "ind=staffing"),
    ("consulting firms", "ind=consulting"),
    ("security companies", "ind=cybersecurity"),
    ("cybersecurity", "ind=cybersecurity"),
    ("biotech", "ind=biotech"),
    ("auto dealers", "ind=automotive"),
    ("utilities", "ind=energy"),
    ("publishing", "ind=media"),
    ("telecom", "ind=telecom"),
    ("government agencies", "ind=government"),
    ("public sector", "ind=government"),
    ("enterprise software companies", "ind=software; min=1000"),
    ("software engineers at enterprise software companies", "roles=software_engineer; ind=software; min=1000"),
    ("accountants in finance", "roles=accountant; ind=financial_services"),
    // Places.
    ("CEOs in Nevada", "roles=ceo; state=NV; loc=state:NV"),
    ("Nevada CEOs", "roles=ceo; state=NV"),
    ("CEOs in NV", "roles=ceo; state=NV"),
    ("nv ceos", "roles=ceo; warn~ignored: 'nv'"),
    ("ceos  in   las    vegas", "roles=ceo; city=Las Vegas; state=NV; loc=city:NV:Las Vegas"),
    ("CEOs in New York", "roles=ceo; state=NY"),
    ("CEOs in NY", "roles=ceo; state=NY"),
    ("CEOs in New York City", "roles=ceo; city=New York; state=NY"),
    ("CEOs in NYC", "roles=ceo; city=New York; state=NY"),
    ("CEOs in Manhattan", "roles=ceo; city=New York; state=NY"),
    ("CEOs in New York, NY", "roles=ceo; city=New York; state=NY"),
    ("CEOs in LA", "roles=ceo; city=Los Angeles; state=CA"),
    ("CEOs in TX, OK or LA", "roles=ceo; states=TX,OK,LA"),
    ("CEOs in Lafayette, LA", "roles=ceo; city=Lafayette; state=LA"),
    ("CEOs in DC", "roles=ceo; city=Washington; state=DC"),
    ("CEOs in Washington DC", "roles=ceo; city=Washington; state=DC"),
    ("CEOs in Washington, D.C.", "roles=ceo; city=Washington; state=DC"),
    ("CEOs in Washington", "roles=ceo; state=WA"),
    ("CEOs in Washington state", "roles=ceo; state=WA"),
    ("CEOs in District of Columbia", "roles=ceo; state=DC"),
    ("CEOs in North Carolina", "roles=ceo; state=NC"),
    ("CEOs in West Virginia", "roles=ceo; state=WV"),
    ("CEOs in Virginia Beach", "roles=ceo; city=Virginia Beach; state=VA"),
    ("CEOs in Salt Lake City", "roles=ceo; city=Salt Lake City; state=UT"),
    ("CEOs in Kansas", "roles=ceo; state=KS"),
    ("CEOs in Kansas City, MO", "roles=ceo; city=Kansas City; state=MO"),
    ("CEOs in Kansas City", "roles=ceo; city=Kansas City; warn~several states (KS, MO)"),
    ("CEOs in Springfield", "roles=ceo; city=Springfield; loc=city::Springfield; warn~'Springfield' is in several states (IL, MA, MO"),
    ("CEOs in Springfield, IL", "roles=ceo; city=Springfield; state=IL"),
    ("CEOs in Portland, OR", "roles=ceo; city=Portland; state=OR"),
    ("CEOs in Portland Oregon", "roles=ceo; city=Portland; state=OR"),
    ("dentists in Portland Maine", "roles=dentist; city=Portland; state=ME"),
    ("nurses in Columbus", "roles=nurse; city=Columbus; warn~several states"),
    ("CPAs in Aurora", "roles=accountant; city=Aurora; warn~several states"),
    ("lawyers in Arlington, VA", "roles=attorney; city=Arlington; state=VA"),
    ("CEOs in Charleston", "roles=ceo; city=Charleston; warn~several states"),
    ("CEOs in Lexington, MA", "roles=ceo; city=Lexington; state=MA"),
    ("realtors in Miami FL", "roles=real_estate_agent; city=Miami; state=FL"),
    ("dentists in Boise, Idaho", "roles=dentist; city=Boise; state=ID"),
    ("CEOs in Utah or Idaho", "roles=ceo; states=UT,ID"),
    ("CEOs in Utah OR Idaho", "roles=ceo; states=UT,ID"),
    ("CEOs in California and Nevada", "roles=ceo; states=CA,NV"),
    ("CEOs in IN and OH", "roles=ceo; states=IN,OH"),
    ("CEOs IN Texas", "roles=ceo; state=TX"),
    ("GIVE ME 100 CEOS IN LAS VEGAS", "roles=ceo; n=100; city=Las Vegas; state=NV"),
    ("CEOS IN ME", "roles=ceo; state=ME"),
    ("find me CEOs in Maine", "roles=ceo; state=ME"),
    ("CEOs in me", "roles=ceo"),
    ("marketing it or sales in ohio", "dept=marketing,sales; state=OH"),
    ("CEOs in Austin or Denver", "roles=ceo; cities=Austin,Denver; states=TX,CO"),
    ("CTOs in the Bay Area", "roles=cto; state=CA; cities~San Jose; cities~Oakland; loc=metro:bay_area"),
    ("founders in Silicon Valley", "roles=founder; state=CA; cities=San Jose,Palo Alto,Mountain View,Sunnyvale,Santa Clara,Cupertino,Menlo Park"),
    ("CEOs in St. Louis", "roles=ceo; city=St. Louis; state=MO"),
    ("CEOs in Saint Louis", "roles=ceo; city=St. Louis; state=MO"),
    ("CEOs in Ft. Worth", "roles=ceo; city=Fort Worth; state=TX"),
    ("CEOs in Winston-Salem", "roles=ceo; city=Winston-Salem; state=NC"),
    ("CEOs in Mobile, AL", "roles=ceo; city=Mobile; state=AL"),
    ("mobile app developers", "roles=software_engineer; kw=mobile,app"),
    ("CEOs in Reading, PA", "roles=ceo; city=Reading; state=PA"),
    // Sizes.
    ("companies with 50+ employees", "min=50"),
    ("at least 50 employees", "min=50"),
    ("more than 49 employees", "min=50"),
    ("more than 500 employees", "min=501"),
    ("over 500 employees", "min=501"),
    ("fewer than 50 employees", "max=49"),
    ("under 50 employees", "max=49"),
    ("less than 50 staff", "max=49"),
    ("up to 50 employees", "max=50"),
    ("50 or fewer employees", "max=50"),
    ("no more than 50 employees", "max=50"),
    ("50 or more employees", "min=50"),
    ("between 10 and 200 employees", "min=10; max=200"),
    ("10-200 employees", "min=10; max=200"),
    ("10 to 200 employees", "min=10; max=200"),
    ("companies with 10 - 200 employees", "min=10; max=200"),
    ("between 200 and 10 employees", "min=10; max=200"),
    ("1,000+ employees", "min=1000"),
    ("1000+ employees", "min=1000"),
    ("1k+ employees", "min=1000"),
    ("10,000+ employees", "min=10000"),
    ("1k-5k employees", "min=1000; max=5000"),
    ("companies with 50+ people", "min=50"),
    ("small businesses", "max=50"),
    ("small business owners", "roles=owner; max=50"),
    ("SMBs", "max=500"),
    ("mid-market companies", "min=100; max=999; warn~convention"),
    ("enterprise companies", "min=1000"),
    ("startups", "max=200"),
    ("co-founders of fintech startups", "roles=founder; ind=fintech; max=200"),
    ("startups with 10 to 50 employees", "min=10; max=50"),
    ("startups with 1k+ employees", "min=1000; warn~empty"),
    ("companies with 50 employees", "min=50; warn~at least 50"),
    // Counts.
    ("give me 1000 decision makers for marketing agencies", "n=1000; sen=owner,founder,c_suite,partner,vp,head,director; ind=marketing_agency"),
    ("find 250 HR managers", "n=250; sen=manager; dept=hr"),
    ("top 50 CMOs", "n=50; roles=cmo"),
    ("get 1,000 SDRs at SaaS", "n=1000; roles=sdr; ind=software"),
    ("show me 20 recruiters", "n=20; roles=recruiter"),
    ("500 CMOs at ecommerce companies", "n=500; roles=cmo; ind=ecommerce"),
    ("list of 200 HR directors", "n=200; sen=director; dept=hr"),
    ("marketing directors in Chicago, 300 leads", "n=300; sen=director; dept=marketing; city=Chicago; state=IL"),
    ("give me 100 people at SaaS companies", "n=100; ind=software"),
    ("50+ employees at SaaS companies", "min=50; ind=software"),
    ("find 250", "warn~ignored: '250'"),
    // Everyone at a company.
    ("all employees at SaaS companies in Idaho", "all; ind=software; state=ID"),
    ("everyone at Stripe", "all; kw=stripe"),
    ("all staff at Acme Corp", "all; kw=acme"),
    ("give me 1,000 employees at Acme", "all; n=1000; kw=acme"),
    // Keywords, filler and warnings.
    ("kubernetes consulting firms", "ind=consulting; kw=kubernetes"),
    ("b2b shopify brands", "kw=b2b,shopify"),
    ("healthcare companies", "kw=healthcare"),
    ("I'm looking for CTOs who use kubernetes", "roles=cto; kw=kubernetes"),
    ("who are the CEOs of banks in Ohio?", "roles=ceo; ind=bank; state=OH"),
    ("CEOs in Texas pls", "roles=ceo; state=TX; warn~ignored: 'pls'"),
    ("CEOs in Texas 🚀", "roles=ceo; state=TX; warn~ignored: '🚀'"),
    ("thx CEOs plz", "roles=ceo; warn~ignored: 'thx'; warn~ignored: 'plz'"),
    ("CEOs in Dallas TX 2024", "roles=ceo; city=Dallas; state=TX; warn~ignored: '2024'"),
    ("CEOs xy", "roles=ceo; warn~ignored: 'xy'"),
    ("!!! CEOs ???", "roles=ceo"),
    ("companies founded after 2015", "warn~ignored: 'founded'; warn~ignored: '2015'"),
    // Money is not a size.
    ("SaaS companies with revenue over 10m", "ind=software; warn~revenue"),
    ("SaaS companies with over $10M in revenue and 50+ employees", "ind=software; min=50; warn~revenue"),
    ("revenue operations managers", "sen=manager; dept=operations"),
    // More places.
    ("CEOs in Indianapolis IN", "roles=ceo; city=Indianapolis; state=IN"),
    ("CEOs in Pittsburgh PA", "roles=ceo; city=Pittsburgh; state=PA"),
    ("ACME CO CEOs", "roles=ceo; kw=acme"),
    ("CEOs in NY/NJ", "roles=ceo; states=NY,NJ"),
    ("CEOs in Texas, Oklahoma, Louisiana", "roles=ceo; states=TX,OK,LA"),
    ("CEOs in Dallas and Houston", "roles=ceo; cities=Dallas,Houston; state=TX"),
    ("CEOs in LA or SF", "roles=ceo; cities=Los Angeles,San Francisco; state=CA"),
    ("CEOs in LA, CA", "roles=ceo; city=Los Angeles; state=CA"),
    ("CEOs in Boulder, CO and Austin, TX", "roles=ceo; cities=Boulder,Austin; states=CO,TX"),
    ("CEOs in the DFW area", "roles=ceo; state=TX; cities~Plano; loc=metro:dfw"),
    ("CEOs in Orange County", "roles=ceo; state=CA; cities~Irvine; loc=metro:orange_county"),
    ("CEOs in Philly", "roles=ceo; city=Philadelphia; state=PA"),
    (
        "Heads of Sales & Marketing @ B2B SaaS (50-500 emp) in Austin, TX 🙏",
        "sen=head; dept=sales,marketing; ind=software; kw=b2b; min=50; max=500; city=Austin; state=TX; warn~ignored: '🙏'",
    ),
];

#[derive(Default)]
struct Spec {
    roles: Vec<String>,
    sen: Vec<String>,
    dept: Vec<String>,
    ind: Vec<String>,
    kw: Vec<String>,
    states: Vec<String>,
    cities: Option<Vec<String>>,
    cities_contain: Vec<String>,
    loc: Option<Vec<String>>,
    city: Option<String>,
    state: Option<String>,
    min: Option<u32>,
    max: Option<u32>,
    n: Option<u32>,
    all: bool,
    warn: Vec<String>,
}

fn list(v: &str) -> Vec<String> {
    v.split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

fn parse(spec: &str) -> Spec {
    let mut s = Spec::default();
    for item in spec.split(';').map(str::trim).filter(|i| !i.is_empty()) {
        if let Some(v) = item.strip_prefix("warn~") {
            s.warn.push(v.to_owned());
            continue;
        }
        if let Some(v) = item.strip_prefix("cities~") {
            s.cities_contain.push(v.to_owned());
            continue;
        }
        let (k, v) = item.split_once('=').unwrap_or((item, ""));
        let num = || {
            v.parse::<u32>()
                .unwrap_or_else(|_| panic!("bad number in {spec}"))
        };
        match k {
            "roles" => s.roles = list(v),
            "sen" => s.sen = list(v),
            "dept" => s.dept = list(v),
            "ind" => s.ind = list(v),
            "kw" => s.kw = list(v),
            "states" => s.states = list(v),
            "cities" => s.cities = Some(list(v)),
            "loc" => s.loc = Some(list(v)),
            "city" => s.city = Some(v.to_owned()),
            "state" => s.state = Some(v.to_owned()),
            "min" => s.min = Some(num()),
            "max" => s.max = Some(num()),
            "n" => s.n = Some(num()),
            "all" => s.all = true,
            other => panic!("unknown spec field {other} in {spec}"),
        }
    }
    s
}

fn keys(terms: &[Term]) -> Vec<String> {
    terms.iter().map(|t| t.key.clone()).collect()
}

fn check(q: &str, spec: &str, got: &Interpretation) -> Vec<String> {
    let s = parse(spec);
    let f = &got.filters;
    let mut bad = Vec::new();
    let mut eq = |what: &str, have: String, want: String| {
        if have != want {
            bad.push(format!("{q:?}: {what} = {have}, want {want}"));
        }
    };
    eq(
        "roles",
        format!("{:?}", keys(&got.roles)),
        format!("{:?}", s.roles),
    );
    eq(
        "seniorities",
        format!("{:?}", keys(&got.seniorities)),
        format!("{:?}", s.sen),
    );
    eq(
        "departments",
        format!("{:?}", keys(&got.departments)),
        format!("{:?}", s.dept),
    );
    eq(
        "industries",
        format!("{:?}", keys(&got.industries)),
        format!("{:?}", s.ind),
    );
    eq(
        "keywords",
        format!("{:?}", f.keywords),
        format!("{:?}", s.kw),
    );
    eq(
        "company_states",
        format!("{:?}", f.company_states),
        format!("{:?}", s.states),
    );
    eq(
        "company_city",
        format!("{:?}", f.company_city),
        format!("{:?}", s.city),
    );
    eq(
        "company_state",
        format!("{:?}", f.company_state),
        format!("{:?}", s.state),
    );
    eq(
        "min",
        format!("{:?}", f.employee_count_min),
        format!("{:?}", s.min),
    );
    eq(
        "max",
        format!("{:?}", f.employee_count_max),
        format!("{:?}", s.max),
    );
    eq(
        "max_records",
        format!("{:?}", got.max_records),
        format!("{:?}", s.n),
    );
    eq(
        "all_employees",
        got.all_employees.to_string(),
        s.all.to_string(),
    );
    match &s.cities {
        Some(c) => eq(
            "company_cities",
            format!("{:?}", f.company_cities),
            format!("{c:?}"),
        ),
        None if s.cities_contain.is_empty() => eq(
            "company_cities",
            format!("{:?}", f.company_cities),
            "[]".into(),
        ),
        None => {}
    }
    for c in &s.cities_contain {
        if !f.company_cities.contains(c) {
            bad.push(format!(
                "{q:?}: company_cities {:?} lacks {c}",
                f.company_cities
            ));
        }
    }
    if let Some(loc) = &s.loc {
        let have: Vec<&str> = got.locations.iter().map(|l| l.key.as_str()).collect();
        if &have != loc {
            bad.push(format!("{q:?}: locations {have:?}, want {loc:?}"));
        }
    }
    if s.warn.is_empty() && !got.warnings.is_empty() {
        bad.push(format!("{q:?}: unexpected warnings {:?}", got.warnings));
    }
    for w in &s.warn {
        if !got.warnings.iter().any(|have| have.contains(w.as_str())) {
            bad.push(format!(
                "{q:?}: no warning containing {w:?} in {:?}",
                got.warnings
            ));
        }
    }
    bad
}

#[test]
fn table() {
    assert!(CASES.len() >= 120, "{} cases", CASES.len());
    let failures: Vec<String> = CASES
        .iter()
        .flat_map(|(q, spec)| check(q, spec, &interpret(q)))
        .collect();
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn nothing_understood_is_empty() {
    for q in ["hello", "pls", "   ", "", "!!!", "🚀", "thx!!", "ok"] {
        let i = interpret(q);
        assert!(i.is_empty(), "{q:?}: {i:?}");
    }
    for q in [
        "CEOs",
        "kubernetes",
        "in Texas",
        "50+ employees",
        "everyone",
        "startups",
    ] {
        assert!(!interpret(q).is_empty(), "{q:?}");
    }
}

#[test]
fn labels_come_from_the_taxonomy() {
    let i = interpret("CMOs and VP of Sales at SaaS companies in Nevada");
    assert_eq!(i.roles[0].label, "CMO");
    assert_eq!(i.seniorities[0].label, "VP");
    assert_eq!(i.departments[0].label, "Sales");
    assert_eq!(i.industries[0].label, "SaaS and software companies");
    assert_eq!(i.locations[0].label, "Nevada");
    assert_eq!(i.locations[0].state.as_deref(), Some("NV"));
}

#[test]
fn serialises_with_the_documented_field_names() {
    let v = serde_json::to_value(interpret(
        "CMOs of SaaS companies with 50+ employees in NV pls",
    ))
    .unwrap();
    for field in [
        "roles",
        "seniorities",
        "departments",
        "industries",
        "locations",
        "filters",
        "max_records",
        "all_employees",
        "warnings",
    ] {
        assert!(v.get(field).is_some(), "{field}");
    }
    let f = &v["filters"];
    for field in [
        "company_city",
        "company_state",
        "company_states",
        "company_cities",
        "employee_count_min",
        "employee_count_max",
        "keywords",
    ] {
        assert!(f.get(field).is_some(), "filters.{field}");
    }
    assert_eq!(
        v["roles"][0],
        serde_json::json!({"key": "cmo", "label": "CMO"})
    );
    assert_eq!(v["locations"][0]["key"], "state:NV");
    assert_eq!(f["employee_count_min"], 50);
    assert_eq!(v["warnings"], serde_json::json!(["ignored: 'pls'"]));
}

#[test]
fn keywords_are_capped_and_long_input_is_truncated() {
    let many = "alpha bravo charlie delta echo foxtrot golf igloo india juliet kilo lima";
    let i = interpret(many);
    assert_eq!(i.filters.keywords.len(), 10);
    assert!(
        i.warnings.iter().any(|w| w.contains("kilo")),
        "{:?}",
        i.warnings
    );

    let long = format!("CEOs in Texas {}", "é".repeat(20_000));
    let i = interpret(&long);
    assert!(
        i.warnings.iter().any(|w| w.contains("first 10000")),
        "{:?}",
        i.warnings
    );
    assert_eq!(i.roles[0].key, "ceo");
}
