//! Static US geography: states with their area codes and capitals, and the larger cities.
//! Used by the demo data generator (realistic locations and phone area codes) and by the
//! query interpreter (city → state inference). Populations are approximate (2020 census
//! order of magnitude) and only used for weighting and ranking.

/// A US state or the District of Columbia.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
    /// Two-letter USPS code, upper case ("NV").
    pub code: &'static str,
    /// Full name ("Nevada").
    pub name: &'static str,
    /// Approximate population in thousands.
    pub population_k: u32,
    /// Telephone area codes in use in the state (at least 1, the main ones, real ones).
    pub area_codes: &'static [u16],
    /// Capital city name, exactly as it appears in CITIES.
    pub capital: &'static str,
}

/// A US city.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct City {
    pub name: &'static str,
    /// Two-letter state code.
    pub state: &'static str,
    /// Approximate population in thousands (at least 1).
    pub population_k: u32,
}

/// The 50 states and the District of Columbia, sorted by code.
pub static STATES: &[State] = &[
    State {
        code: "AK",
        name: "Alaska",
        population_k: 733,
        area_codes: &[907],
        capital: "Juneau",
    },
    State {
        code: "AL",
        name: "Alabama",
        population_k: 5024,
        area_codes: &[205, 251, 256, 334, 659, 938],
        capital: "Montgomery",
    },
    State {
        code: "AR",
        name: "Arkansas",
        population_k: 3012,
        area_codes: &[327, 479, 501, 870],
        capital: "Little Rock",
    },
    State {
        code: "AZ",
        name: "Arizona",
        population_k: 7152,
        area_codes: &[480, 520, 602, 623, 928],
        capital: "Phoenix",
    },
    State {
        code: "CA",
        name: "California",
        population_k: 39538,
        area_codes: &[
            209, 213, 279, 310, 323, 408, 415, 424, 442, 510, 530, 559, 562, 619, 626, 628, 650,
            657, 661, 669, 707, 714, 747, 760, 805, 818, 820, 831, 840, 858, 909, 916, 925, 949,
            951,
        ],
        capital: "Sacramento",
    },
    State {
        code: "CO",
        name: "Colorado",
        population_k: 5774,
        area_codes: &[303, 719, 720, 970],
        capital: "Denver",
    },
    State {
        code: "CT",
        name: "Connecticut",
        population_k: 3606,
        area_codes: &[203, 475, 860, 959],
        capital: "Hartford",
    },
    State {
        code: "DC",
        name: "District of Columbia",
        population_k: 690,
        area_codes: &[202, 771],
        capital: "Washington",
    },
    State {
        code: "DE",
        name: "Delaware",
        population_k: 990,
        area_codes: &[302],
        capital: "Dover",
    },
    State {
        code: "FL",
        name: "Florida",
        population_k: 21538,
        area_codes: &[
            239, 305, 321, 352, 386, 407, 448, 561, 656, 689, 727, 754, 772, 786, 813, 850, 863,
            904, 941, 954,
        ],
        capital: "Tallahassee",
    },
    State {
        code: "GA",
        name: "Georgia",
        population_k: 10712,
        area_codes: &[229, 404, 470, 478, 678, 706, 762, 770, 912],
        capital: "Atlanta",
    },
    State {
        code: "HI",
        name: "Hawaii",
        population_k: 1455,
        area_codes: &[808],
        capital: "Honolulu",
    },
    State {
        code: "IA",
        name: "Iowa",
        population_k: 3190,
        area_codes: &[319, 515, 563, 641, 712],
        capital: "Des Moines",
    },
    State {
        code: "ID",
        name: "Idaho",
        population_k: 1839,
        area_codes: &[208, 986],
        capital: "Boise",
    },
    State {
        code: "IL",
        name: "Illinois",
        population_k: 12813,
        area_codes: &[
            217, 224, 309, 312, 331, 447, 464, 618, 630, 708, 773, 779, 815, 847, 872,
        ],
        capital: "Springfield",
    },
    State {
        code: "IN",
        name: "Indiana",
        population_k: 6786,
        area_codes: &[219, 260, 317, 463, 574, 765, 812, 930],
        capital: "Indianapolis",
    },
    State {
        code: "KS",
        name: "Kansas",
        population_k: 2938,
        area_codes: &[316, 620, 785, 913],
        capital: "Topeka",
    },
    State {
        code: "KY",
        name: "Kentucky",
        population_k: 4506,
        area_codes: &[270, 502, 606, 859],
        capital: "Frankfort",
    },
    State {
        code: "LA",
        name: "Louisiana",
        population_k: 4658,
        area_codes: &[225, 318, 337, 504, 985],
        capital: "Baton Rouge",
    },
    State {
        code: "MA",
        name: "Massachusetts",
        population_k: 7030,
        area_codes: &[339, 351, 413, 508, 617, 774, 781, 857, 978],
        capital: "Boston",
    },
    State {
        code: "MD",
        name: "Maryland",
        population_k: 6177,
        area_codes: &[227, 240, 301, 410, 443, 667],
        capital: "Annapolis",
    },
    State {
        code: "ME",
        name: "Maine",
        population_k: 1362,
        area_codes: &[207],
        capital: "Augusta",
    },
    State {
        code: "MI",
        name: "Michigan",
        population_k: 10077,
        area_codes: &[
            231, 248, 269, 313, 517, 586, 616, 679, 734, 810, 906, 947, 989,
        ],
        capital: "Lansing",
    },
    State {
        code: "MN",
        name: "Minnesota",
        population_k: 5706,
        area_codes: &[218, 320, 507, 612, 651, 763, 952],
        capital: "Saint Paul",
    },
    State {
        code: "MO",
        name: "Missouri",
        population_k: 6155,
        area_codes: &[314, 417, 573, 636, 660, 816],
        capital: "Jefferson City",
    },
    State {
        code: "MS",
        name: "Mississippi",
        population_k: 2961,
        area_codes: &[228, 601, 662, 769],
        capital: "Jackson",
    },
    State {
        code: "MT",
        name: "Montana",
        population_k: 1084,
        area_codes: &[406],
        capital: "Helena",
    },
    State {
        code: "NC",
        name: "North Carolina",
        population_k: 10439,
        area_codes: &[252, 336, 472, 704, 743, 828, 910, 919, 980, 984],
        capital: "Raleigh",
    },
    State {
        code: "ND",
        name: "North Dakota",
        population_k: 779,
        area_codes: &[701],
        capital: "Bismarck",
    },
    State {
        code: "NE",
        name: "Nebraska",
        population_k: 1962,
        area_codes: &[308, 402, 531],
        capital: "Lincoln",
    },
    State {
        code: "NH",
        name: "New Hampshire",
        population_k: 1378,
        area_codes: &[603],
        capital: "Concord",
    },
    State {
        code: "NJ",
        name: "New Jersey",
        population_k: 9289,
        area_codes: &[201, 551, 609, 640, 732, 848, 856, 862, 908, 973],
        capital: "Trenton",
    },
    State {
        code: "NM",
        name: "New Mexico",
        population_k: 2118,
        area_codes: &[505, 575],
        capital: "Santa Fe",
    },
    State {
        code: "NV",
        name: "Nevada",
        population_k: 3105,
        area_codes: &[702, 725, 775],
        capital: "Carson City",
    },
    State {
        code: "NY",
        name: "New York",
        population_k: 20201,
        area_codes: &[
            212, 315, 332, 347, 516, 518, 585, 607, 631, 646, 680, 716, 718, 845, 914, 917, 929,
            934,
        ],
        capital: "Albany",
    },
    State {
        code: "OH",
        name: "Ohio",
        population_k: 11799,
        area_codes: &[
            216, 220, 234, 326, 330, 380, 419, 440, 513, 567, 614, 740, 937,
        ],
        capital: "Columbus",
    },
    State {
        code: "OK",
        name: "Oklahoma",
        population_k: 3959,
        area_codes: &[405, 539, 572, 580, 918],
        capital: "Oklahoma City",
    },
    State {
        code: "OR",
        name: "Oregon",
        population_k: 4237,
        area_codes: &[458, 503, 541, 971],
        capital: "Salem",
    },
    State {
        code: "PA",
        name: "Pennsylvania",
        population_k: 13003,
        area_codes: &[
            215, 223, 267, 272, 412, 445, 484, 570, 610, 717, 724, 814, 878,
        ],
        capital: "Harrisburg",
    },
    State {
        code: "RI",
        name: "Rhode Island",
        population_k: 1097,
        area_codes: &[401],
        capital: "Providence",
    },
    State {
        code: "SC",
        name: "South Carolina",
        population_k: 5119,
        area_codes: &[803, 839, 843, 854, 864],
        capital: "Columbia",
    },
    State {
        code: "SD",
        name: "South Dakota",
        population_k: 887,
        area_codes: &[605],
        capital: "Pierre",
    },
    State {
        code: "TN",
        name: "Tennessee",
        population_k: 6911,
        area_codes: &[423, 615, 629, 731, 865, 901, 931],
        capital: "Nashville",
    },
    State {
        code: "TX",
        name: "Texas",
        population_k: 29146,
        area_codes: &[
            210, 214, 254, 281, 325, 346, 361, 409, 430, 432, 469, 512, 682, 713, 726, 737, 806,
            817, 830, 832, 903, 915, 936, 940, 945, 956, 972, 979,
        ],
        capital: "Austin",
    },
    State {
        code: "UT",
        name: "Utah",
        population_k: 3272,
        area_codes: &[385, 435, 801],
        capital: "Salt Lake City",
    },
    State {
        code: "VA",
        name: "Virginia",
        population_k: 8631,
        area_codes: &[276, 434, 540, 571, 703, 757, 804],
        capital: "Richmond",
    },
    State {
        code: "VT",
        name: "Vermont",
        population_k: 643,
        area_codes: &[802],
        capital: "Montpelier",
    },
    State {
        code: "WA",
        name: "Washington",
        population_k: 7705,
        area_codes: &[206, 253, 360, 425, 509, 564],
        capital: "Olympia",
    },
    State {
        code: "WI",
        name: "Wisconsin",
        population_k: 5894,
        area_codes: &[262, 414, 534, 608, 715, 920],
        capital: "Madison",
    },
    State {
        code: "WV",
        name: "West Virginia",
        population_k: 1794,
        area_codes: &[304, 681],
        capital: "Charleston",
    },
    State {
        code: "WY",
        name: "Wyoming",
        population_k: 577,
        area_codes: &[307],
        capital: "Cheyenne",
    },
];

/// The larger US cities (roughly every city above 100k people), every state capital and
/// some well-known smaller business cities, sorted by population descending.
pub static CITIES: &[City] = &[
    City {
        name: "New York",
        state: "NY",
        population_k: 8804,
    },
    City {
        name: "Los Angeles",
        state: "CA",
        population_k: 3899,
    },
    City {
        name: "Chicago",
        state: "IL",
        population_k: 2746,
    },
    City {
        name: "Houston",
        state: "TX",
        population_k: 2304,
    },
    City {
        name: "Phoenix",
        state: "AZ",
        population_k: 1608,
    },
    City {
        name: "Philadelphia",
        state: "PA",
        population_k: 1604,
    },
    City {
        name: "San Antonio",
        state: "TX",
        population_k: 1434,
    },
    City {
        name: "San Diego",
        state: "CA",
        population_k: 1386,
    },
    City {
        name: "Dallas",
        state: "TX",
        population_k: 1304,
    },
    City {
        name: "San Jose",
        state: "CA",
        population_k: 1013,
    },
    City {
        name: "Austin",
        state: "TX",
        population_k: 962,
    },
    City {
        name: "Jacksonville",
        state: "FL",
        population_k: 950,
    },
    City {
        name: "Fort Worth",
        state: "TX",
        population_k: 918,
    },
    City {
        name: "Columbus",
        state: "OH",
        population_k: 905,
    },
    City {
        name: "Indianapolis",
        state: "IN",
        population_k: 887,
    },
    City {
        name: "Charlotte",
        state: "NC",
        population_k: 875,
    },
    City {
        name: "San Francisco",
        state: "CA",
        population_k: 874,
    },
    City {
        name: "Seattle",
        state: "WA",
        population_k: 737,
    },
    City {
        name: "Denver",
        state: "CO",
        population_k: 715,
    },
    City {
        name: "Washington",
        state: "DC",
        population_k: 690,
    },
    City {
        name: "Nashville",
        state: "TN",
        population_k: 689,
    },
    City {
        name: "Oklahoma City",
        state: "OK",
        population_k: 681,
    },
    City {
        name: "El Paso",
        state: "TX",
        population_k: 679,
    },
    City {
        name: "Boston",
        state: "MA",
        population_k: 676,
    },
    City {
        name: "Portland",
        state: "OR",
        population_k: 652,
    },
    City {
        name: "Las Vegas",
        state: "NV",
        population_k: 641,
    },
    City {
        name: "Detroit",
        state: "MI",
        population_k: 639,
    },
    City {
        name: "Louisville",
        state: "KY",
        population_k: 633,
    },
    City {
        name: "Memphis",
        state: "TN",
        population_k: 633,
    },
    City {
        name: "Baltimore",
        state: "MD",
        population_k: 586,
    },
    City {
        name: "Milwaukee",
        state: "WI",
        population_k: 577,
    },
    City {
        name: "Albuquerque",
        state: "NM",
        population_k: 564,
    },
    City {
        name: "Tucson",
        state: "AZ",
        population_k: 543,
    },
    City {
        name: "Fresno",
        state: "CA",
        population_k: 542,
    },
    City {
        name: "Sacramento",
        state: "CA",
        population_k: 524,
    },
    City {
        name: "Kansas City",
        state: "MO",
        population_k: 508,
    },
    City {
        name: "Mesa",
        state: "AZ",
        population_k: 504,
    },
    City {
        name: "Atlanta",
        state: "GA",
        population_k: 499,
    },
    City {
        name: "Omaha",
        state: "NE",
        population_k: 486,
    },
    City {
        name: "Colorado Springs",
        state: "CO",
        population_k: 479,
    },
    City {
        name: "Long Beach",
        state: "CA",
        population_k: 467,
    },
    City {
        name: "Raleigh",
        state: "NC",
        population_k: 467,
    },
    City {
        name: "Virginia Beach",
        state: "VA",
        population_k: 460,
    },
    City {
        name: "Miami",
        state: "FL",
        population_k: 442,
    },
    City {
        name: "Oakland",
        state: "CA",
        population_k: 440,
    },
    City {
        name: "Minneapolis",
        state: "MN",
        population_k: 429,
    },
    City {
        name: "Tulsa",
        state: "OK",
        population_k: 413,
    },
    City {
        name: "Bakersfield",
        state: "CA",
        population_k: 403,
    },
    City {
        name: "Wichita",
        state: "KS",
        population_k: 398,
    },
    City {
        name: "Arlington",
        state: "TX",
        population_k: 394,
    },
    City {
        name: "Aurora",
        state: "CO",
        population_k: 386,
    },
    City {
        name: "Tampa",
        state: "FL",
        population_k: 385,
    },
    City {
        name: "New Orleans",
        state: "LA",
        population_k: 384,
    },
    City {
        name: "Cleveland",
        state: "OH",
        population_k: 373,
    },
    City {
        name: "Honolulu",
        state: "HI",
        population_k: 350,
    },
    City {
        name: "Anaheim",
        state: "CA",
        population_k: 347,
    },
    City {
        name: "Lexington",
        state: "KY",
        population_k: 323,
    },
    City {
        name: "Stockton",
        state: "CA",
        population_k: 321,
    },
    City {
        name: "Corpus Christi",
        state: "TX",
        population_k: 318,
    },
    City {
        name: "Henderson",
        state: "NV",
        population_k: 318,
    },
    City {
        name: "Riverside",
        state: "CA",
        population_k: 315,
    },
    City {
        name: "Newark",
        state: "NJ",
        population_k: 312,
    },
    City {
        name: "Saint Paul",
        state: "MN",
        population_k: 312,
    },
    City {
        name: "Santa Ana",
        state: "CA",
        population_k: 310,
    },
    City {
        name: "Cincinnati",
        state: "OH",
        population_k: 309,
    },
    City {
        name: "Irvine",
        state: "CA",
        population_k: 308,
    },
    City {
        name: "Orlando",
        state: "FL",
        population_k: 308,
    },
    City {
        name: "Pittsburgh",
        state: "PA",
        population_k: 303,
    },
    City {
        name: "St. Louis",
        state: "MO",
        population_k: 302,
    },
    City {
        name: "Greensboro",
        state: "NC",
        population_k: 299,
    },
    City {
        name: "Jersey City",
        state: "NJ",
        population_k: 292,
    },
    City {
        name: "Anchorage",
        state: "AK",
        population_k: 291,
    },
    City {
        name: "Lincoln",
        state: "NE",
        population_k: 291,
    },
    City {
        name: "Plano",
        state: "TX",
        population_k: 285,
    },
    City {
        name: "Durham",
        state: "NC",
        population_k: 284,
    },
    City {
        name: "Buffalo",
        state: "NY",
        population_k: 278,
    },
    City {
        name: "Chandler",
        state: "AZ",
        population_k: 276,
    },
    City {
        name: "Chula Vista",
        state: "CA",
        population_k: 275,
    },
    City {
        name: "Toledo",
        state: "OH",
        population_k: 271,
    },
    City {
        name: "Madison",
        state: "WI",
        population_k: 270,
    },
    City {
        name: "Gilbert",
        state: "AZ",
        population_k: 268,
    },
    City {
        name: "Fort Wayne",
        state: "IN",
        population_k: 264,
    },
    City {
        name: "Reno",
        state: "NV",
        population_k: 264,
    },
    City {
        name: "North Las Vegas",
        state: "NV",
        population_k: 263,
    },
    City {
        name: "St. Petersburg",
        state: "FL",
        population_k: 258,
    },
    City {
        name: "Irving",
        state: "TX",
        population_k: 257,
    },
    City {
        name: "Lubbock",
        state: "TX",
        population_k: 257,
    },
    City {
        name: "Laredo",
        state: "TX",
        population_k: 255,
    },
    City {
        name: "Winston-Salem",
        state: "NC",
        population_k: 250,
    },
    City {
        name: "Chesapeake",
        state: "VA",
        population_k: 249,
    },
    City {
        name: "Glendale",
        state: "AZ",
        population_k: 248,
    },
    City {
        name: "Garland",
        state: "TX",
        population_k: 246,
    },
    City {
        name: "Scottsdale",
        state: "AZ",
        population_k: 241,
    },
    City {
        name: "Arlington",
        state: "VA",
        population_k: 239,
    },
    City {
        name: "Norfolk",
        state: "VA",
        population_k: 238,
    },
    City {
        name: "Boise",
        state: "ID",
        population_k: 236,
    },
    City {
        name: "Fremont",
        state: "CA",
        population_k: 231,
    },
    City {
        name: "Santa Clarita",
        state: "CA",
        population_k: 229,
    },
    City {
        name: "Spokane",
        state: "WA",
        population_k: 229,
    },
    City {
        name: "Baton Rouge",
        state: "LA",
        population_k: 227,
    },
    City {
        name: "Richmond",
        state: "VA",
        population_k: 227,
    },
    City {
        name: "Hialeah",
        state: "FL",
        population_k: 223,
    },
    City {
        name: "San Bernardino",
        state: "CA",
        population_k: 222,
    },
    City {
        name: "Tacoma",
        state: "WA",
        population_k: 219,
    },
    City {
        name: "Modesto",
        state: "CA",
        population_k: 218,
    },
    City {
        name: "Huntsville",
        state: "AL",
        population_k: 215,
    },
    City {
        name: "Des Moines",
        state: "IA",
        population_k: 214,
    },
    City {
        name: "Yonkers",
        state: "NY",
        population_k: 212,
    },
    City {
        name: "Rochester",
        state: "NY",
        population_k: 211,
    },
    City {
        name: "Fayetteville",
        state: "NC",
        population_k: 209,
    },
    City {
        name: "Moreno Valley",
        state: "CA",
        population_k: 209,
    },
    City {
        name: "Fontana",
        state: "CA",
        population_k: 208,
    },
    City {
        name: "Columbus",
        state: "GA",
        population_k: 207,
    },
    City {
        name: "Worcester",
        state: "MA",
        population_k: 207,
    },
    City {
        name: "Port St. Lucie",
        state: "FL",
        population_k: 205,
    },
    City {
        name: "Little Rock",
        state: "AR",
        population_k: 203,
    },
    City {
        name: "Augusta",
        state: "GA",
        population_k: 202,
    },
    City {
        name: "Oxnard",
        state: "CA",
        population_k: 202,
    },
    City {
        name: "Birmingham",
        state: "AL",
        population_k: 201,
    },
    City {
        name: "Frisco",
        state: "TX",
        population_k: 201,
    },
    City {
        name: "Montgomery",
        state: "AL",
        population_k: 201,
    },
    City {
        name: "Amarillo",
        state: "TX",
        population_k: 200,
    },
    City {
        name: "Salt Lake City",
        state: "UT",
        population_k: 200,
    },
    City {
        name: "Grand Rapids",
        state: "MI",
        population_k: 199,
    },
    City {
        name: "Huntington Beach",
        state: "CA",
        population_k: 199,
    },
    City {
        name: "Glendale",
        state: "CA",
        population_k: 197,
    },
    City {
        name: "Overland Park",
        state: "KS",
        population_k: 197,
    },
    City {
        name: "Grand Prairie",
        state: "TX",
        population_k: 196,
    },
    City {
        name: "Tallahassee",
        state: "FL",
        population_k: 196,
    },
    City {
        name: "McKinney",
        state: "TX",
        population_k: 195,
    },
    City {
        name: "Cape Coral",
        state: "FL",
        population_k: 194,
    },
    City {
        name: "Sioux Falls",
        state: "SD",
        population_k: 193,
    },
    City {
        name: "Knoxville",
        state: "TN",
        population_k: 191,
    },
    City {
        name: "Peoria",
        state: "AZ",
        population_k: 191,
    },
    City {
        name: "Providence",
        state: "RI",
        population_k: 191,
    },
    City {
        name: "Vancouver",
        state: "WA",
        population_k: 191,
    },
    City {
        name: "Akron",
        state: "OH",
        population_k: 190,
    },
    City {
        name: "Shreveport",
        state: "LA",
        population_k: 188,
    },
    City {
        name: "Brownsville",
        state: "TX",
        population_k: 187,
    },
    City {
        name: "Mobile",
        state: "AL",
        population_k: 187,
    },
    City {
        name: "Newport News",
        state: "VA",
        population_k: 186,
    },
    City {
        name: "Fort Lauderdale",
        state: "FL",
        population_k: 183,
    },
    City {
        name: "Aurora",
        state: "IL",
        population_k: 181,
    },
    City {
        name: "Chattanooga",
        state: "TN",
        population_k: 181,
    },
    City {
        name: "Tempe",
        state: "AZ",
        population_k: 181,
    },
    City {
        name: "Santa Rosa",
        state: "CA",
        population_k: 178,
    },
    City {
        name: "Eugene",
        state: "OR",
        population_k: 177,
    },
    City {
        name: "Elk Grove",
        state: "CA",
        population_k: 176,
    },
    City {
        name: "Salem",
        state: "OR",
        population_k: 176,
    },
    City {
        name: "Cary",
        state: "NC",
        population_k: 175,
    },
    City {
        name: "Ontario",
        state: "CA",
        population_k: 175,
    },
    City {
        name: "Lancaster",
        state: "CA",
        population_k: 174,
    },
    City {
        name: "Oceanside",
        state: "CA",
        population_k: 174,
    },
    City {
        name: "Rancho Cucamonga",
        state: "CA",
        population_k: 174,
    },
    City {
        name: "Garden Grove",
        state: "CA",
        population_k: 172,
    },
    City {
        name: "Pembroke Pines",
        state: "FL",
        population_k: 171,
    },
    City {
        name: "Fort Collins",
        state: "CO",
        population_k: 170,
    },
    City {
        name: "Palmdale",
        state: "CA",
        population_k: 169,
    },
    City {
        name: "Springfield",
        state: "MO",
        population_k: 169,
    },
    City {
        name: "Clarksville",
        state: "TN",
        population_k: 167,
    },
    City {
        name: "Salinas",
        state: "CA",
        population_k: 164,
    },
    City {
        name: "Hayward",
        state: "CA",
        population_k: 163,
    },
    City {
        name: "Paterson",
        state: "NJ",
        population_k: 160,
    },
    City {
        name: "Alexandria",
        state: "VA",
        population_k: 159,
    },
    City {
        name: "Corona",
        state: "CA",
        population_k: 157,
    },
    City {
        name: "Kansas City",
        state: "KS",
        population_k: 157,
    },
    City {
        name: "Macon",
        state: "GA",
        population_k: 157,
    },
    City {
        name: "Lakewood",
        state: "CO",
        population_k: 156,
    },
    City {
        name: "Springfield",
        state: "MA",
        population_k: 156,
    },
    City {
        name: "Sunnyvale",
        state: "CA",
        population_k: 156,
    },
    City {
        name: "Jackson",
        state: "MS",
        population_k: 154,
    },
    City {
        name: "Hollywood",
        state: "FL",
        population_k: 153,
    },
    City {
        name: "Killeen",
        state: "TX",
        population_k: 153,
    },
    City {
        name: "Murfreesboro",
        state: "TN",
        population_k: 153,
    },
    City {
        name: "Bellevue",
        state: "WA",
        population_k: 152,
    },
    City {
        name: "Pasadena",
        state: "TX",
        population_k: 152,
    },
    City {
        name: "Pomona",
        state: "CA",
        population_k: 152,
    },
    City {
        name: "Escondido",
        state: "CA",
        population_k: 151,
    },
    City {
        name: "Charleston",
        state: "SC",
        population_k: 150,
    },
    City {
        name: "Joliet",
        state: "IL",
        population_k: 150,
    },
    City {
        name: "Mesquite",
        state: "TX",
        population_k: 150,
    },
    City {
        name: "Naperville",
        state: "IL",
        population_k: 150,
    },
    City {
        name: "Bridgeport",
        state: "CT",
        population_k: 149,
    },
    City {
        name: "Rockford",
        state: "IL",
        population_k: 149,
    },
    City {
        name: "Syracuse",
        state: "NY",
        population_k: 149,
    },
    City {
        name: "Roseville",
        state: "CA",
        population_k: 148,
    },
    City {
        name: "Savannah",
        state: "GA",
        population_k: 148,
    },
    City {
        name: "Torrance",
        state: "CA",
        population_k: 147,
    },
    City {
        name: "Fullerton",
        state: "CA",
        population_k: 144,
    },
    City {
        name: "Surprise",
        state: "AZ",
        population_k: 143,
    },
    City {
        name: "McAllen",
        state: "TX",
        population_k: 142,
    },
    City {
        name: "Thornton",
        state: "CO",
        population_k: 142,
    },
    City {
        name: "Gainesville",
        state: "FL",
        population_k: 141,
    },
    City {
        name: "Olathe",
        state: "KS",
        population_k: 141,
    },
    City {
        name: "Visalia",
        state: "CA",
        population_k: 141,
    },
    City {
        name: "Denton",
        state: "TX",
        population_k: 140,
    },
    City {
        name: "Orange",
        state: "CA",
        population_k: 140,
    },
    City {
        name: "West Valley City",
        state: "UT",
        population_k: 140,
    },
    City {
        name: "Pasadena",
        state: "CA",
        population_k: 139,
    },
    City {
        name: "Warren",
        state: "MI",
        population_k: 139,
    },
    City {
        name: "Cedar Rapids",
        state: "IA",
        population_k: 138,
    },
    City {
        name: "Dayton",
        state: "OH",
        population_k: 138,
    },
    City {
        name: "Waco",
        state: "TX",
        population_k: 138,
    },
    City {
        name: "Columbia",
        state: "SC",
        population_k: 137,
    },
    City {
        name: "Elizabeth",
        state: "NJ",
        population_k: 137,
    },
    City {
        name: "Hampton",
        state: "VA",
        population_k: 137,
    },
    City {
        name: "Kent",
        state: "WA",
        population_k: 137,
    },
    City {
        name: "Lakewood",
        state: "NJ",
        population_k: 135,
    },
    City {
        name: "Miramar",
        state: "FL",
        population_k: 135,
    },
    City {
        name: "Stamford",
        state: "CT",
        population_k: 135,
    },
    City {
        name: "Victorville",
        state: "CA",
        population_k: 135,
    },
    City {
        name: "Coral Springs",
        state: "FL",
        population_k: 134,
    },
    City {
        name: "New Haven",
        state: "CT",
        population_k: 134,
    },
    City {
        name: "Sterling Heights",
        state: "MI",
        population_k: 134,
    },
    City {
        name: "Carrollton",
        state: "TX",
        population_k: 133,
    },
    City {
        name: "Midland",
        state: "TX",
        population_k: 133,
    },
    City {
        name: "Norman",
        state: "OK",
        population_k: 128,
    },
    City {
        name: "Santa Clara",
        state: "CA",
        population_k: 128,
    },
    City {
        name: "Athens",
        state: "GA",
        population_k: 127,
    },
    City {
        name: "Thousand Oaks",
        state: "CA",
        population_k: 127,
    },
    City {
        name: "Topeka",
        state: "KS",
        population_k: 127,
    },
    City {
        name: "Allentown",
        state: "PA",
        population_k: 126,
    },
    City {
        name: "Columbia",
        state: "MO",
        population_k: 126,
    },
    City {
        name: "Fargo",
        state: "ND",
        population_k: 126,
    },
    City {
        name: "Pearland",
        state: "TX",
        population_k: 126,
    },
    City {
        name: "Simi Valley",
        state: "CA",
        population_k: 126,
    },
    City {
        name: "Vallejo",
        state: "CA",
        population_k: 126,
    },
    City {
        name: "Abilene",
        state: "TX",
        population_k: 125,
    },
    City {
        name: "Concord",
        state: "CA",
        population_k: 125,
    },
    City {
        name: "Ann Arbor",
        state: "MI",
        population_k: 124,
    },
    City {
        name: "Arvada",
        state: "CO",
        population_k: 124,
    },
    City {
        name: "Berkeley",
        state: "CA",
        population_k: 124,
    },
    City {
        name: "Independence",
        state: "MO",
        population_k: 123,
    },
    City {
        name: "College Station",
        state: "TX",
        population_k: 121,
    },
    City {
        name: "Hartford",
        state: "CT",
        population_k: 121,
    },
    City {
        name: "Lafayette",
        state: "LA",
        population_k: 121,
    },
    City {
        name: "Rochester",
        state: "MN",
        population_k: 121,
    },
    City {
        name: "Clovis",
        state: "CA",
        population_k: 120,
    },
    City {
        name: "Fairfield",
        state: "CA",
        population_k: 120,
    },
    City {
        name: "Palm Bay",
        state: "FL",
        population_k: 120,
    },
    City {
        name: "Richardson",
        state: "TX",
        population_k: 119,
    },
    City {
        name: "Round Rock",
        state: "TX",
        population_k: 119,
    },
    City {
        name: "Cambridge",
        state: "MA",
        population_k: 118,
    },
    City {
        name: "Meridian",
        state: "ID",
        population_k: 118,
    },
    City {
        name: "Billings",
        state: "MT",
        population_k: 117,
    },
    City {
        name: "Clearwater",
        state: "FL",
        population_k: 117,
    },
    City {
        name: "Evansville",
        state: "IN",
        population_k: 117,
    },
    City {
        name: "West Jordan",
        state: "UT",
        population_k: 117,
    },
    City {
        name: "West Palm Beach",
        state: "FL",
        population_k: 117,
    },
    City {
        name: "Lowell",
        state: "MA",
        population_k: 116,
    },
    City {
        name: "Manchester",
        state: "NH",
        population_k: 116,
    },
    City {
        name: "Richmond",
        state: "CA",
        population_k: 116,
    },
    City {
        name: "Westminster",
        state: "CO",
        population_k: 116,
    },
    City {
        name: "Antioch",
        state: "CA",
        population_k: 115,
    },
    City {
        name: "Beaumont",
        state: "TX",
        population_k: 115,
    },
    City {
        name: "Carlsbad",
        state: "CA",
        population_k: 115,
    },
    City {
        name: "Elgin",
        state: "IL",
        population_k: 115,
    },
    City {
        name: "North Charleston",
        state: "SC",
        population_k: 115,
    },
    City {
        name: "Provo",
        state: "UT",
        population_k: 115,
    },
    City {
        name: "Wilmington",
        state: "NC",
        population_k: 115,
    },
    City {
        name: "Broken Arrow",
        state: "OK",
        population_k: 114,
    },
    City {
        name: "Downey",
        state: "CA",
        population_k: 114,
    },
    City {
        name: "Gresham",
        state: "OR",
        population_k: 114,
    },
    City {
        name: "High Point",
        state: "NC",
        population_k: 114,
    },
    City {
        name: "League City",
        state: "TX",
        population_k: 114,
    },
    City {
        name: "Odessa",
        state: "TX",
        population_k: 114,
    },
    City {
        name: "Springfield",
        state: "IL",
        population_k: 114,
    },
    City {
        name: "The Woodlands",
        state: "TX",
        population_k: 114,
    },
    City {
        name: "Waterbury",
        state: "CT",
        population_k: 114,
    },
    City {
        name: "Lakeland",
        state: "FL",
        population_k: 113,
    },
    City {
        name: "Lansing",
        state: "MI",
        population_k: 113,
    },
    City {
        name: "Peoria",
        state: "IL",
        population_k: 113,
    },
    City {
        name: "Costa Mesa",
        state: "CA",
        population_k: 112,
    },
    City {
        name: "Lewisville",
        state: "TX",
        population_k: 112,
    },
    City {
        name: "Miami Gardens",
        state: "FL",
        population_k: 112,
    },
    City {
        name: "Pompano Beach",
        state: "FL",
        population_k: 112,
    },
    City {
        name: "Pueblo",
        state: "CO",
        population_k: 112,
    },
    City {
        name: "Everett",
        state: "WA",
        population_k: 111,
    },
    City {
        name: "Las Cruces",
        state: "NM",
        population_k: 111,
    },
    City {
        name: "Murrieta",
        state: "CA",
        population_k: 111,
    },
    City {
        name: "Sugar Land",
        state: "TX",
        population_k: 111,
    },
    City {
        name: "Ventura",
        state: "CA",
        population_k: 111,
    },
    City {
        name: "Dearborn",
        state: "MI",
        population_k: 110,
    },
    City {
        name: "Santa Maria",
        state: "CA",
        population_k: 110,
    },
    City {
        name: "Temecula",
        state: "CA",
        population_k: 110,
    },
    City {
        name: "West Covina",
        state: "CA",
        population_k: 110,
    },
    City {
        name: "El Monte",
        state: "CA",
        population_k: 109,
    },
    City {
        name: "Greeley",
        state: "CO",
        population_k: 109,
    },
    City {
        name: "Boulder",
        state: "CO",
        population_k: 108,
    },
    City {
        name: "Centennial",
        state: "CO",
        population_k: 108,
    },
    City {
        name: "Edison",
        state: "NJ",
        population_k: 108,
    },
    City {
        name: "Inglewood",
        state: "CA",
        population_k: 108,
    },
    City {
        name: "Sandy Springs",
        state: "GA",
        population_k: 108,
    },
    City {
        name: "Sparks",
        state: "NV",
        population_k: 108,
    },
    City {
        name: "Burbank",
        state: "CA",
        population_k: 107,
    },
    City {
        name: "Green Bay",
        state: "WI",
        population_k: 107,
    },
    City {
        name: "Renton",
        state: "WA",
        population_k: 107,
    },
    City {
        name: "South Fulton",
        state: "GA",
        population_k: 107,
    },
    City {
        name: "Brockton",
        state: "MA",
        population_k: 106,
    },
    City {
        name: "Davie",
        state: "FL",
        population_k: 106,
    },
    City {
        name: "El Cajon",
        state: "CA",
        population_k: 106,
    },
    City {
        name: "Hillsboro",
        state: "OR",
        population_k: 106,
    },
    City {
        name: "San Mateo",
        state: "CA",
        population_k: 106,
    },
    City {
        name: "Tyler",
        state: "TX",
        population_k: 106,
    },
    City {
        name: "Allen",
        state: "TX",
        population_k: 105,
    },
    City {
        name: "Columbia",
        state: "MD",
        population_k: 105,
    },
    City {
        name: "Concord",
        state: "NC",
        population_k: 105,
    },
    City {
        name: "Daly City",
        state: "CA",
        population_k: 105,
    },
    City {
        name: "Jurupa Valley",
        state: "CA",
        population_k: 105,
    },
    City {
        name: "Rialto",
        state: "CA",
        population_k: 104,
    },
    City {
        name: "Rio Rancho",
        state: "NM",
        population_k: 104,
    },
    City {
        name: "Woodbridge",
        state: "NJ",
        population_k: 104,
    },
    City {
        name: "Menifee",
        state: "CA",
        population_k: 103,
    },
    City {
        name: "Norwalk",
        state: "CA",
        population_k: 103,
    },
    City {
        name: "South Bend",
        state: "IN",
        population_k: 103,
    },
    City {
        name: "Spokane Valley",
        state: "WA",
        population_k: 103,
    },
    City {
        name: "Davenport",
        state: "IA",
        population_k: 102,
    },
    City {
        name: "Quincy",
        state: "MA",
        population_k: 102,
    },
    City {
        name: "Vacaville",
        state: "CA",
        population_k: 102,
    },
    City {
        name: "Wichita Falls",
        state: "TX",
        population_k: 102,
    },
    City {
        name: "Chico",
        state: "CA",
        population_k: 101,
    },
    City {
        name: "Federal Way",
        state: "WA",
        population_k: 101,
    },
    City {
        name: "Lee's Summit",
        state: "MO",
        population_k: 101,
    },
    City {
        name: "Lynn",
        state: "MA",
        population_k: 101,
    },
    City {
        name: "New Bedford",
        state: "MA",
        population_k: 101,
    },
    City {
        name: "Carmel",
        state: "IN",
        population_k: 100,
    },
    City {
        name: "Edinburg",
        state: "TX",
        population_k: 100,
    },
    City {
        name: "Hesperia",
        state: "CA",
        population_k: 100,
    },
    City {
        name: "Kenosha",
        state: "WI",
        population_k: 100,
    },
    City {
        name: "Nampa",
        state: "ID",
        population_k: 100,
    },
    City {
        name: "Roanoke",
        state: "VA",
        population_k: 100,
    },
    City {
        name: "San Angelo",
        state: "TX",
        population_k: 100,
    },
    City {
        name: "Tuscaloosa",
        state: "AL",
        population_k: 100,
    },
    City {
        name: "Albany",
        state: "NY",
        population_k: 99,
    },
    City {
        name: "Bend",
        state: "OR",
        population_k: 99,
    },
    City {
        name: "Fishers",
        state: "IN",
        population_k: 99,
    },
    City {
        name: "Longmont",
        state: "CO",
        population_k: 99,
    },
    City {
        name: "Beaverton",
        state: "OR",
        population_k: 98,
    },
    City {
        name: "Boca Raton",
        state: "FL",
        population_k: 98,
    },
    City {
        name: "Orem",
        state: "UT",
        population_k: 98,
    },
    City {
        name: "Portsmouth",
        state: "VA",
        population_k: 98,
    },
    City {
        name: "Vista",
        state: "CA",
        population_k: 98,
    },
    City {
        name: "Sandy",
        state: "UT",
        population_k: 97,
    },
    City {
        name: "Sunrise",
        state: "FL",
        population_k: 97,
    },
    City {
        name: "Yakima",
        state: "WA",
        population_k: 97,
    },
    City {
        name: "Compton",
        state: "CA",
        population_k: 96,
    },
    City {
        name: "Goodyear",
        state: "AZ",
        population_k: 96,
    },
    City {
        name: "Carson",
        state: "CA",
        population_k: 95,
    },
    City {
        name: "Erie",
        state: "PA",
        population_k: 95,
    },
    City {
        name: "Lawrence",
        state: "KS",
        population_k: 95,
    },
    City {
        name: "Livonia",
        state: "MI",
        population_k: 95,
    },
    City {
        name: "Plantation",
        state: "FL",
        population_k: 95,
    },
    City {
        name: "Reading",
        state: "PA",
        population_k: 95,
    },
    City {
        name: "St. George",
        state: "UT",
        population_k: 95,
    },
    City {
        name: "Toms River",
        state: "NJ",
        population_k: 95,
    },
    City {
        name: "Yuma",
        state: "AZ",
        population_k: 95,
    },
    City {
        name: "Asheville",
        state: "NC",
        population_k: 94,
    },
    City {
        name: "Deltona",
        state: "FL",
        population_k: 94,
    },
    City {
        name: "Edmond",
        state: "OK",
        population_k: 94,
    },
    City {
        name: "Fall River",
        state: "MA",
        population_k: 94,
    },
    City {
        name: "Fayetteville",
        state: "AR",
        population_k: 94,
    },
    City {
        name: "San Marcos",
        state: "CA",
        population_k: 94,
    },
    City {
        name: "Suffolk",
        state: "VA",
        population_k: 94,
    },
    City {
        name: "Mission Viejo",
        state: "CA",
        population_k: 93,
    },
    City {
        name: "Redding",
        state: "CA",
        population_k: 93,
    },
    City {
        name: "Santa Monica",
        state: "CA",
        population_k: 93,
    },
    City {
        name: "Tracy",
        state: "CA",
        population_k: 93,
    },
    City {
        name: "Bellingham",
        state: "WA",
        population_k: 92,
    },
    City {
        name: "Hoover",
        state: "AL",
        population_k: 92,
    },
    City {
        name: "Kirkland",
        state: "WA",
        population_k: 92,
    },
    City {
        name: "Roswell",
        state: "GA",
        population_k: 92,
    },
    City {
        name: "South Gate",
        state: "CA",
        population_k: 92,
    },
    City {
        name: "Buckeye",
        state: "AZ",
        population_k: 91,
    },
    City {
        name: "Chino",
        state: "CA",
        population_k: 91,
    },
    City {
        name: "Lawton",
        state: "OK",
        population_k: 91,
    },
    City {
        name: "Nashua",
        state: "NH",
        population_k: 91,
    },
    City {
        name: "New Braunfels",
        state: "TX",
        population_k: 91,
    },
    City {
        name: "Norwalk",
        state: "CT",
        population_k: 91,
    },
    City {
        name: "O'Fallon",
        state: "MO",
        population_k: 91,
    },
    City {
        name: "San Leandro",
        state: "CA",
        population_k: 91,
    },
    City {
        name: "Avondale",
        state: "AZ",
        population_k: 90,
    },
    City {
        name: "Clifton",
        state: "NJ",
        population_k: 90,
    },
    City {
        name: "Hemet",
        state: "CA",
        population_k: 90,
    },
    City {
        name: "Mount Pleasant",
        state: "SC",
        population_k: 90,
    },
    City {
        name: "Trenton",
        state: "NJ",
        population_k: 90,
    },
    City {
        name: "Bloomington",
        state: "MN",
        population_k: 89,
    },
    City {
        name: "Conroe",
        state: "TX",
        population_k: 89,
    },
    City {
        name: "Fort Smith",
        state: "AR",
        population_k: 89,
    },
    City {
        name: "Indio",
        state: "CA",
        population_k: 89,
    },
    City {
        name: "Lawrence",
        state: "MA",
        population_k: 89,
    },
    City {
        name: "Palm Coast",
        state: "FL",
        population_k: 89,
    },
    City {
        name: "Waukegan",
        state: "IL",
        population_k: 89,
    },
    City {
        name: "Champaign",
        state: "IL",
        population_k: 88,
    },
    City {
        name: "Citrus Heights",
        state: "CA",
        population_k: 88,
    },
    City {
        name: "Hawthorne",
        state: "CA",
        population_k: 88,
    },
    City {
        name: "Livermore",
        state: "CA",
        population_k: 88,
    },
    City {
        name: "Newton",
        state: "MA",
        population_k: 88,
    },
    City {
        name: "Santa Barbara",
        state: "CA",
        population_k: 88,
    },
    City {
        name: "Santa Fe",
        state: "NM",
        population_k: 88,
    },
    City {
        name: "Auburn",
        state: "WA",
        population_k: 87,
    },
    City {
        name: "Danbury",
        state: "CT",
        population_k: 87,
    },
    City {
        name: "Duluth",
        state: "MN",
        population_k: 87,
    },
    City {
        name: "Fort Myers",
        state: "FL",
        population_k: 87,
    },
    City {
        name: "Greenville",
        state: "NC",
        population_k: 87,
    },
    City {
        name: "Ogden",
        state: "UT",
        population_k: 87,
    },
    City {
        name: "Troy",
        state: "MI",
        population_k: 87,
    },
    City {
        name: "Whittier",
        state: "CA",
        population_k: 87,
    },
    City {
        name: "Brooklyn Park",
        state: "MN",
        population_k: 86,
    },
    City {
        name: "Deerfield Beach",
        state: "FL",
        population_k: 86,
    },
    City {
        name: "Lake Forest",
        state: "CA",
        population_k: 86,
    },
    City {
        name: "Medford",
        state: "OR",
        population_k: 86,
    },
    City {
        name: "Merced",
        state: "CA",
        population_k: 86,
    },
    City {
        name: "Sioux City",
        state: "IA",
        population_k: 86,
    },
    City {
        name: "Cicero",
        state: "IL",
        population_k: 85,
    },
    City {
        name: "Mission",
        state: "TX",
        population_k: 85,
    },
    City {
        name: "Newport Beach",
        state: "CA",
        population_k: 85,
    },
    City {
        name: "Springdale",
        state: "AR",
        population_k: 85,
    },
    City {
        name: "Westland",
        state: "MI",
        population_k: 85,
    },
    City {
        name: "Bryan",
        state: "TX",
        population_k: 84,
    },
    City {
        name: "Buena Park",
        state: "CA",
        population_k: 84,
    },
    City {
        name: "Kennewick",
        state: "WA",
        population_k: 84,
    },
    City {
        name: "Lake Charles",
        state: "LA",
        population_k: 84,
    },
    City {
        name: "Manteca",
        state: "CA",
        population_k: 84,
    },
    City {
        name: "Melbourne",
        state: "FL",
        population_k: 84,
    },
    City {
        name: "Redwood City",
        state: "CA",
        population_k: 84,
    },
    City {
        name: "San Ramon",
        state: "CA",
        population_k: 84,
    },
    City {
        name: "Alhambra",
        state: "CA",
        population_k: 83,
    },
    City {
        name: "Baytown",
        state: "TX",
        population_k: 83,
    },
    City {
        name: "Cranston",
        state: "RI",
        population_k: 83,
    },
    City {
        name: "Farmington Hills",
        state: "MI",
        population_k: 83,
    },
    City {
        name: "Franklin",
        state: "TN",
        population_k: 83,
    },
    City {
        name: "Miami Beach",
        state: "FL",
        population_k: 83,
    },
    City {
        name: "Warwick",
        state: "RI",
        population_k: 83,
    },
    City {
        name: "Johns Creek",
        state: "GA",
        population_k: 82,
    },
    City {
        name: "Lakewood",
        state: "CA",
        population_k: 82,
    },
    City {
        name: "Largo",
        state: "FL",
        population_k: 82,
    },
    City {
        name: "Mountain View",
        state: "CA",
        population_k: 82,
    },
    City {
        name: "Temple",
        state: "TX",
        population_k: 82,
    },
    City {
        name: "Flint",
        state: "MI",
        population_k: 81,
    },
    City {
        name: "Folsom",
        state: "CA",
        population_k: 81,
    },
    City {
        name: "Layton",
        state: "UT",
        population_k: 81,
    },
    City {
        name: "Longview",
        state: "TX",
        population_k: 81,
    },
    City {
        name: "Milpitas",
        state: "CA",
        population_k: 81,
    },
    City {
        name: "Parma",
        state: "OH",
        population_k: 81,
    },
    City {
        name: "Plymouth",
        state: "MN",
        population_k: 81,
    },
    City {
        name: "Silver Spring",
        state: "MD",
        population_k: 81,
    },
    City {
        name: "Somerville",
        state: "MA",
        population_k: 81,
    },
    City {
        name: "Boynton Beach",
        state: "FL",
        population_k: 80,
    },
    City {
        name: "Gastonia",
        state: "NC",
        population_k: 80,
    },
    City {
        name: "Homestead",
        state: "FL",
        population_k: 80,
    },
    City {
        name: "Tustin",
        state: "CA",
        population_k: 80,
    },
    City {
        name: "Warner Robins",
        state: "GA",
        population_k: 80,
    },
    City {
        name: "Bellflower",
        state: "CA",
        population_k: 79,
    },
    City {
        name: "Bloomington",
        state: "IN",
        population_k: 79,
    },
    City {
        name: "Kissimmee",
        state: "FL",
        population_k: 79,
    },
    City {
        name: "Lynchburg",
        state: "VA",
        population_k: 79,
    },
    City {
        name: "Napa",
        state: "CA",
        population_k: 79,
    },
    City {
        name: "New Rochelle",
        state: "NY",
        population_k: 79,
    },
    City {
        name: "Perris",
        state: "CA",
        population_k: 79,
    },
    City {
        name: "Pharr",
        state: "TX",
        population_k: 79,
    },
    City {
        name: "Pleasanton",
        state: "CA",
        population_k: 79,
    },
    City {
        name: "Upland",
        state: "CA",
        population_k: 79,
    },
    City {
        name: "Alameda",
        state: "CA",
        population_k: 78,
    },
    City {
        name: "Bloomington",
        state: "IL",
        population_k: 78,
    },
    City {
        name: "Chino Hills",
        state: "CA",
        population_k: 78,
    },
    City {
        name: "Evanston",
        state: "IL",
        population_k: 78,
    },
    City {
        name: "Frederick",
        state: "MD",
        population_k: 78,
    },
    City {
        name: "Jonesboro",
        state: "AR",
        population_k: 78,
    },
    City {
        name: "Racine",
        state: "WI",
        population_k: 78,
    },
    City {
        name: "Schaumburg",
        state: "IL",
        population_k: 78,
    },
    City {
        name: "Arlington Heights",
        state: "IL",
        population_k: 77,
    },
    City {
        name: "Cedar Park",
        state: "TX",
        population_k: 77,
    },
    City {
        name: "Flagstaff",
        state: "AZ",
        population_k: 77,
    },
    City {
        name: "Hammond",
        state: "IN",
        population_k: 77,
    },
    City {
        name: "Pasco",
        state: "WA",
        population_k: 77,
    },
    City {
        name: "South Jordan",
        state: "UT",
        population_k: 77,
    },
    City {
        name: "Wyoming",
        state: "MI",
        population_k: 77,
    },
    City {
        name: "Auburn",
        state: "AL",
        population_k: 76,
    },
    City {
        name: "Bethlehem",
        state: "PA",
        population_k: 76,
    },
    City {
        name: "Flower Mound",
        state: "TX",
        population_k: 76,
    },
    City {
        name: "Lehi",
        state: "UT",
        population_k: 76,
    },
    City {
        name: "Loveland",
        state: "CO",
        population_k: 76,
    },
    City {
        name: "Rochester Hills",
        state: "MI",
        population_k: 76,
    },
    City {
        name: "Scranton",
        state: "PA",
        population_k: 76,
    },
    City {
        name: "Southfield",
        state: "MI",
        population_k: 76,
    },
    City {
        name: "Apple Valley",
        state: "CA",
        population_k: 75,
    },
    City {
        name: "Appleton",
        state: "WI",
        population_k: 75,
    },
    City {
        name: "Cherry Hill",
        state: "NJ",
        population_k: 75,
    },
    City {
        name: "Iowa City",
        state: "IA",
        population_k: 75,
    },
    City {
        name: "Lauderhill",
        state: "FL",
        population_k: 75,
    },
    City {
        name: "Pawtucket",
        state: "RI",
        population_k: 75,
    },
    City {
        name: "Rapid City",
        state: "SD",
        population_k: 75,
    },
    City {
        name: "Rock Hill",
        state: "SC",
        population_k: 75,
    },
    City {
        name: "Woodbury",
        state: "MN",
        population_k: 75,
    },
    City {
        name: "Bismarck",
        state: "ND",
        population_k: 74,
    },
    City {
        name: "Broomfield",
        state: "CO",
        population_k: 74,
    },
    City {
        name: "Missoula",
        state: "MT",
        population_k: 74,
    },
    City {
        name: "Missouri City",
        state: "TX",
        population_k: 74,
    },
    City {
        name: "New Britain",
        state: "CT",
        population_k: 74,
    },
    City {
        name: "Castle Rock",
        state: "CO",
        population_k: 73,
    },
    City {
        name: "Kalamazoo",
        state: "MI",
        population_k: 73,
    },
    City {
        name: "Mansfield",
        state: "TX",
        population_k: 73,
    },
    City {
        name: "Mount Vernon",
        state: "NY",
        population_k: 73,
    },
    City {
        name: "Redlands",
        state: "CA",
        population_k: 73,
    },
    City {
        name: "Redmond",
        state: "WA",
        population_k: 73,
    },
    City {
        name: "Turlock",
        state: "CA",
        population_k: 73,
    },
    City {
        name: "Baldwin Park",
        state: "CA",
        population_k: 72,
    },
    City {
        name: "Bowling Green",
        state: "KY",
        population_k: 72,
    },
    City {
        name: "Daytona Beach",
        state: "FL",
        population_k: 72,
    },
    City {
        name: "Dublin",
        state: "CA",
        population_k: 72,
    },
    City {
        name: "Framingham",
        state: "MA",
        population_k: 72,
    },
    City {
        name: "Gulfport",
        state: "MS",
        population_k: 72,
    },
    City {
        name: "Jacksonville",
        state: "NC",
        population_k: 72,
    },
    City {
        name: "St. Joseph",
        state: "MO",
        population_k: 72,
    },
    City {
        name: "Bayonne",
        state: "NJ",
        population_k: 71,
    },
    City {
        name: "Camden",
        state: "NJ",
        population_k: 71,
    },
    City {
        name: "Canton",
        state: "OH",
        population_k: 71,
    },
    City {
        name: "Dothan",
        state: "AL",
        population_k: 71,
    },
    City {
        name: "Greenville",
        state: "SC",
        population_k: 71,
    },
    City {
        name: "Harlingen",
        state: "TX",
        population_k: 71,
    },
    City {
        name: "Johnson City",
        state: "TN",
        population_k: 71,
    },
    City {
        name: "Waukesha",
        state: "WI",
        population_k: 71,
    },
    City {
        name: "Wilmington",
        state: "DE",
        population_k: 71,
    },
    City {
        name: "Camarillo",
        state: "CA",
        population_k: 70,
    },
    City {
        name: "Lafayette",
        state: "IN",
        population_k: 70,
    },
    City {
        name: "Maple Grove",
        state: "MN",
        population_k: 70,
    },
    City {
        name: "Marysville",
        state: "WA",
        population_k: 70,
    },
    City {
        name: "North Richland Hills",
        state: "TX",
        population_k: 70,
    },
    City {
        name: "Passaic",
        state: "NJ",
        population_k: 70,
    },
    City {
        name: "Rogers",
        state: "AR",
        population_k: 70,
    },
    City {
        name: "St. Charles",
        state: "MO",
        population_k: 70,
    },
    City {
        name: "Union City",
        state: "CA",
        population_k: 70,
    },
    City {
        name: "Walnut Creek",
        state: "CA",
        population_k: 70,
    },
    City {
        name: "Albany",
        state: "GA",
        population_k: 69,
    },
    City {
        name: "East Orange",
        state: "NJ",
        population_k: 69,
    },
    City {
        name: "Eau Claire",
        state: "WI",
        population_k: 69,
    },
    City {
        name: "Gaithersburg",
        state: "MD",
        population_k: 69,
    },
    City {
        name: "Gary",
        state: "IN",
        population_k: 69,
    },
    City {
        name: "Palo Alto",
        state: "CA",
        population_k: 69,
    },
    City {
        name: "Bethesda",
        state: "MD",
        population_k: 68,
    },
    City {
        name: "Eagan",
        state: "MN",
        population_k: 68,
    },
    City {
        name: "Haverhill",
        state: "MA",
        population_k: 68,
    },
    City {
        name: "Jackson",
        state: "TN",
        population_k: 68,
    },
    City {
        name: "Portland",
        state: "ME",
        population_k: 68,
    },
    City {
        name: "Rockville",
        state: "MD",
        population_k: 68,
    },
    City {
        name: "San Marcos",
        state: "TX",
        population_k: 68,
    },
    City {
        name: "Schenectady",
        state: "NY",
        population_k: 68,
    },
    City {
        name: "Shawnee",
        state: "KS",
        population_k: 68,
    },
    City {
        name: "St. Cloud",
        state: "MN",
        population_k: 68,
    },
    City {
        name: "Union City",
        state: "NJ",
        population_k: 68,
    },
    City {
        name: "Waterloo",
        state: "IA",
        population_k: 68,
    },
    City {
        name: "West Des Moines",
        state: "IA",
        population_k: 68,
    },
    City {
        name: "Weston",
        state: "FL",
        population_k: 68,
    },
    City {
        name: "Yorba Linda",
        state: "CA",
        population_k: 68,
    },
    City {
        name: "Ankeny",
        state: "IA",
        population_k: 67,
    },
    City {
        name: "Davis",
        state: "CA",
        population_k: 67,
    },
    City {
        name: "Delray Beach",
        state: "FL",
        population_k: 67,
    },
    City {
        name: "Georgetown",
        state: "TX",
        population_k: 67,
    },
    City {
        name: "Oshkosh",
        state: "WI",
        population_k: 67,
    },
    City {
        name: "Sammamish",
        state: "WA",
        population_k: 67,
    },
    City {
        name: "Alpharetta",
        state: "GA",
        population_k: 66,
    },
    City {
        name: "Ames",
        state: "IA",
        population_k: 66,
    },
    City {
        name: "Janesville",
        state: "WI",
        population_k: 66,
    },
    City {
        name: "Kenner",
        state: "LA",
        population_k: 66,
    },
    City {
        name: "Malden",
        state: "MA",
        population_k: 66,
    },
    City {
        name: "Novi",
        state: "MI",
        population_k: 66,
    },
    City {
        name: "Cheyenne",
        state: "WY",
        population_k: 65,
    },
    City {
        name: "Conway",
        state: "AR",
        population_k: 65,
    },
    City {
        name: "Grand Junction",
        state: "CO",
        population_k: 65,
    },
    City {
        name: "Idaho Falls",
        state: "ID",
        population_k: 65,
    },
    City {
        name: "Lorain",
        state: "OH",
        population_k: 65,
    },
    City {
        name: "Muncie",
        state: "IN",
        population_k: 65,
    },
    City {
        name: "Pflugerville",
        state: "TX",
        population_k: 65,
    },
    City {
        name: "Utica",
        state: "NY",
        population_k: 65,
    },
    City {
        name: "Victoria",
        state: "TX",
        population_k: 65,
    },
    City {
        name: "Waltham",
        state: "MA",
        population_k: 65,
    },
    City {
        name: "Bellevue",
        state: "NE",
        population_k: 64,
    },
    City {
        name: "Eden Prairie",
        state: "MN",
        population_k: 64,
    },
    City {
        name: "Ocala",
        state: "FL",
        population_k: 64,
    },
    City {
        name: "Greenwich",
        state: "CT",
        population_k: 63,
    },
    City {
        name: "Hamilton",
        state: "OH",
        population_k: 63,
    },
    City {
        name: "Lakewood",
        state: "WA",
        population_k: 63,
    },
    City {
        name: "Reston",
        state: "VA",
        population_k: 63,
    },
    City {
        name: "Rowlett",
        state: "TX",
        population_k: 63,
    },
    City {
        name: "Bossier City",
        state: "LA",
        population_k: 62,
    },
    City {
        name: "Council Bluffs",
        state: "IA",
        population_k: 62,
    },
    City {
        name: "Moore",
        state: "OK",
        population_k: 62,
    },
    City {
        name: "Springfield",
        state: "OR",
        population_k: 62,
    },
    City {
        name: "Chapel Hill",
        state: "NC",
        population_k: 61,
    },
    City {
        name: "Euless",
        state: "TX",
        population_k: 61,
    },
    City {
        name: "Hendersonville",
        state: "TN",
        population_k: 61,
    },
    City {
        name: "Huntersville",
        state: "NC",
        population_k: 61,
    },
    City {
        name: "Jupiter",
        state: "FL",
        population_k: 61,
    },
    City {
        name: "Marietta",
        state: "GA",
        population_k: 61,
    },
    City {
        name: "Richland",
        state: "WA",
        population_k: 61,
    },
    City {
        name: "San Rafael",
        state: "CA",
        population_k: 61,
    },
    City {
        name: "Cupertino",
        state: "CA",
        population_k: 60,
    },
    City {
        name: "Great Falls",
        state: "MT",
        population_k: 60,
    },
    City {
        name: "Hoboken",
        state: "NJ",
        population_k: 60,
    },
    City {
        name: "Owensboro",
        state: "KY",
        population_k: 60,
    },
    City {
        name: "West Allis",
        state: "WI",
        population_k: 60,
    },
    City {
        name: "Youngstown",
        state: "OH",
        population_k: 60,
    },
    City {
        name: "Apex",
        state: "NC",
        population_k: 59,
    },
    City {
        name: "Blue Springs",
        state: "MO",
        population_k: 59,
    },
    City {
        name: "Casper",
        state: "WY",
        population_k: 59,
    },
    City {
        name: "Corvallis",
        state: "OR",
        population_k: 59,
    },
    City {
        name: "Grand Forks",
        state: "ND",
        population_k: 59,
    },
    City {
        name: "Medford",
        state: "MA",
        population_k: 59,
    },
    City {
        name: "White Plains",
        state: "NY",
        population_k: 59,
    },
    City {
        name: "Bowie",
        state: "MD",
        population_k: 58,
    },
    City {
        name: "Carson City",
        state: "NV",
        population_k: 58,
    },
    City {
        name: "Lancaster",
        state: "PA",
        population_k: 58,
    },
    City {
        name: "Midwest City",
        state: "OK",
        population_k: 58,
    },
    City {
        name: "Parker",
        state: "CO",
        population_k: 58,
    },
    City {
        name: "Shoreline",
        state: "WA",
        population_k: 58,
    },
    City {
        name: "Springfield",
        state: "OH",
        population_k: 58,
    },
    City {
        name: "Bartlett",
        state: "TN",
        population_k: 57,
    },
    City {
        name: "Burlington",
        state: "NC",
        population_k: 57,
    },
    City {
        name: "Decatur",
        state: "AL",
        population_k: 57,
    },
    City {
        name: "Kettering",
        state: "OH",
        population_k: 57,
    },
    City {
        name: "Lenexa",
        state: "KS",
        population_k: 57,
    },
    City {
        name: "Madison",
        state: "AL",
        population_k: 57,
    },
    City {
        name: "DeSoto",
        state: "TX",
        population_k: 56,
    },
    City {
        name: "New Brunswick",
        state: "NJ",
        population_k: 56,
    },
    City {
        name: "Parsippany",
        state: "NJ",
        population_k: 56,
    },
    City {
        name: "Pocatello",
        state: "ID",
        population_k: 56,
    },
    City {
        name: "Coeur d'Alene",
        state: "ID",
        population_k: 55,
    },
    City {
        name: "Kingsport",
        state: "TN",
        population_k: 55,
    },
    City {
        name: "Olympia",
        state: "WA",
        population_k: 55,
    },
    City {
        name: "Rocky Mount",
        state: "NC",
        population_k: 55,
    },
    City {
        name: "Sarasota",
        state: "FL",
        population_k: 55,
    },
    City {
        name: "Southaven",
        state: "MS",
        population_k: 55,
    },
    City {
        name: "Bentonville",
        state: "AR",
        population_k: 54,
    },
    City {
        name: "Manhattan",
        state: "KS",
        population_k: 54,
    },
    City {
        name: "Minnetonka",
        state: "MN",
        population_k: 54,
    },
    City {
        name: "Pensacola",
        state: "FL",
        population_k: 54,
    },
    City {
        name: "Bozeman",
        state: "MT",
        population_k: 53,
    },
    City {
        name: "Grand Island",
        state: "NE",
        population_k: 53,
    },
    City {
        name: "La Crosse",
        state: "WI",
        population_k: 52,
    },
    City {
        name: "Logan",
        state: "UT",
        population_k: 52,
    },
    City {
        name: "Draper",
        state: "UT",
        population_k: 51,
    },
    City {
        name: "Grapevine",
        state: "TX",
        population_k: 51,
    },
    City {
        name: "Harrisonburg",
        state: "VA",
        population_k: 51,
    },
    City {
        name: "Joplin",
        state: "MO",
        population_k: 51,
    },
    City {
        name: "Troy",
        state: "NY",
        population_k: 51,
    },
    City {
        name: "Harrisburg",
        state: "PA",
        population_k: 50,
    },
    City {
        name: "McLean",
        state: "VA",
        population_k: 50,
    },
    City {
        name: "Murray",
        state: "UT",
        population_k: 50,
    },
    City {
        name: "Summerville",
        state: "SC",
        population_k: 50,
    },
    City {
        name: "Biloxi",
        state: "MS",
        population_k: 49,
    },
    City {
        name: "Coral Gables",
        state: "FL",
        population_k: 49,
    },
    City {
        name: "Dublin",
        state: "OH",
        population_k: 49,
    },
    City {
        name: "Niagara Falls",
        state: "NY",
        population_k: 49,
    },
    City {
        name: "Binghamton",
        state: "NY",
        population_k: 48,
    },
    City {
        name: "Bothell",
        state: "WA",
        population_k: 48,
    },
    City {
        name: "Charleston",
        state: "WV",
        population_k: 48,
    },
    City {
        name: "Hattiesburg",
        state: "MS",
        population_k: 48,
    },
    City {
        name: "Leesburg",
        state: "VA",
        population_k: 48,
    },
    City {
        name: "Minot",
        state: "ND",
        population_k: 48,
    },
    City {
        name: "Roswell",
        state: "NM",
        population_k: 48,
    },
    City {
        name: "Stillwater",
        state: "OK",
        population_k: 48,
    },
    City {
        name: "Monroe",
        state: "LA",
        population_k: 47,
    },
    City {
        name: "Wake Forest",
        state: "NC",
        population_k: 47,
    },
    City {
        name: "Charlottesville",
        state: "VA",
        population_k: 46,
    },
    City {
        name: "Huntington",
        state: "WV",
        population_k: 46,
    },
    City {
        name: "Blacksburg",
        state: "VA",
        population_k: 45,
    },
    City {
        name: "Burlington",
        state: "VT",
        population_k: 45,
    },
    City {
        name: "Hilo",
        state: "HI",
        population_k: 45,
    },
    City {
        name: "Palm Springs",
        state: "CA",
        population_k: 45,
    },
    City {
        name: "York",
        state: "PA",
        population_k: 45,
    },
    City {
        name: "Altoona",
        state: "PA",
        population_k: 44,
    },
    City {
        name: "Concord",
        state: "NH",
        population_k: 44,
    },
    City {
        name: "Wilkes-Barre",
        state: "PA",
        population_k: 44,
    },
    City {
        name: "Hagerstown",
        state: "MD",
        population_k: 43,
    },
    City {
        name: "Jefferson City",
        state: "MO",
        population_k: 43,
    },
    City {
        name: "Sumter",
        state: "SC",
        population_k: 43,
    },
    City {
        name: "Covington",
        state: "KY",
        population_k: 41,
    },
    City {
        name: "Annapolis",
        state: "MD",
        population_k: 40,
    },
    City {
        name: "Issaquah",
        state: "WA",
        population_k: 40,
    },
    City {
        name: "Lake Oswego",
        state: "OR",
        population_k: 40,
    },
    City {
        name: "State College",
        state: "PA",
        population_k: 40,
    },
    City {
        name: "Dover",
        state: "DE",
        population_k: 39,
    },
    City {
        name: "Hilton Head Island",
        state: "SC",
        population_k: 38,
    },
    City {
        name: "Spartanburg",
        state: "SC",
        population_k: 38,
    },
    City {
        name: "Lewiston",
        state: "ME",
        population_k: 37,
    },
    City {
        name: "Myrtle Beach",
        state: "SC",
        population_k: 35,
    },
    City {
        name: "Butte",
        state: "MT",
        population_k: 34,
    },
    City {
        name: "Kearney",
        state: "NE",
        population_k: 34,
    },
    City {
        name: "Beverly Hills",
        state: "CA",
        population_k: 33,
    },
    City {
        name: "Dover",
        state: "NH",
        population_k: 33,
    },
    City {
        name: "Gillette",
        state: "WY",
        population_k: 33,
    },
    City {
        name: "Menlo Park",
        state: "CA",
        population_k: 33,
    },
    City {
        name: "Bangor",
        state: "ME",
        population_k: 32,
    },
    City {
        name: "Fairbanks",
        state: "AK",
        population_k: 32,
    },
    City {
        name: "Helena",
        state: "MT",
        population_k: 32,
    },
    City {
        name: "Ithaca",
        state: "NY",
        population_k: 32,
    },
    City {
        name: "Juneau",
        state: "AK",
        population_k: 32,
    },
    City {
        name: "Laramie",
        state: "WY",
        population_k: 31,
    },
    City {
        name: "Newark",
        state: "DE",
        population_k: 31,
    },
    City {
        name: "Princeton",
        state: "NJ",
        population_k: 31,
    },
    City {
        name: "Southlake",
        state: "TX",
        population_k: 31,
    },
    City {
        name: "Morgantown",
        state: "WV",
        population_k: 30,
    },
    City {
        name: "Parkersburg",
        state: "WV",
        population_k: 30,
    },
    City {
        name: "Aberdeen",
        state: "SD",
        population_k: 28,
    },
    City {
        name: "Frankfort",
        state: "KY",
        population_k: 28,
    },
    City {
        name: "Wheeling",
        state: "WV",
        population_k: 27,
    },
    City {
        name: "Newport",
        state: "RI",
        population_k: 25,
    },
    City {
        name: "Brookings",
        state: "SD",
        population_k: 24,
    },
    City {
        name: "Fairfax",
        state: "VA",
        population_k: 24,
    },
    City {
        name: "Herndon",
        state: "VA",
        population_k: 24,
    },
    City {
        name: "Portsmouth",
        state: "NH",
        population_k: 22,
    },
    City {
        name: "Morristown",
        state: "NJ",
        population_k: 20,
    },
    City {
        name: "South Burlington",
        state: "VT",
        population_k: 20,
    },
    City {
        name: "Augusta",
        state: "ME",
        population_k: 19,
    },
    City {
        name: "Naples",
        state: "FL",
        population_k: 19,
    },
    City {
        name: "Rutland",
        state: "VT",
        population_k: 16,
    },
    City {
        name: "Pierre",
        state: "SD",
        population_k: 14,
    },
    City {
        name: "Jackson",
        state: "WY",
        population_k: 10,
    },
    City {
        name: "Montpelier",
        state: "VT",
        population_k: 8,
    },
];
