//! The fuzz targets' regression tests: every kept crasher (tests/crashers) and the seed
//! corpus (fuzz/corpus) go through the same functions as `cargo fuzz`, without panicking.

use std::path::Path;

fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                v.extend(files(&p));
            } else if p.extension().is_none_or(|e| e != "md") {
                v.push(p);
            }
        }
    }
    v
}

#[test]
fn kept_crashers_and_seeds_no_longer_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut n = 0;
    for f in files(&root.join("tests/crashers/valeurs")) {
        contingents::import::fuzz_one_value(&String::from_utf8_lossy(&std::fs::read(&f).unwrap()));
        n += 1;
    }
    for dir in ["tests/crashers/fichiers", "fuzz/seeds"] {
        for f in files(&root.join(dir)) {
            let data = std::fs::read(&f).unwrap();
            contingents::import::fuzz_one_file(&data);
            n += 1;
        }
    }
    assert!(n > 0, "no regression input found");
}

#[test]
fn hostile_values_go_through_every_normaliser() {
    for s in [
        "",
        " ",
        "\u{a0}",
        "#N/A",
        "T",
        "T99999999999999999999",
        "F3 bis bis bis",
        "3 pièces et plus",
        "QP",
        "QN0",
        "31/02/2023",
        "99/99/99",
        "0",
        "-1",
        "1e308",
        "NaN",
        "2A",
        "2A004 - ",
        "(",
        "()",
        "a (",
        " - ",
        "St",
        "Ste-",
        "Ville de",
        "Mairie d'",
        "CD",
        "CD999",
        "Conseil départemental de",
        "Région",
        "autre ",
        "Département du ",
        "𝔗𝔬𝔲𝔩𝔬𝔫",
        "Ⅲ",
        "ﬁ",
        "İ",
        "ß",
        "\u{0}",
        "\t\r\n",
        "%%%",
        "1 %",
        "////",
        "'''",
    ] {
        contingents::import::fuzz_one_value(s);
    }
}
