//! The CASA corpus of `../shared/samples` (when present) must match its expected.json
//! exactly, with the rules of `check_report.py`.

use crate::common::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

fn cell_key(c: &Value) -> String {
    ["bailleur", "commune", "epci", "reservataire", "financement", "typologie", "qpv", "individuel_collectif"]
        .iter()
        .map(|k| c[*k].to_string())
        .collect::<Vec<_>>()
        .join("/")
}

#[test]
fn casa_corpus_matches_its_expected_report() {
    let Some(corpus) = samples().map(|s| s.join("casa")) else {
        return corpus_absent("le corpus d'exemple casa");
    };
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(corpus.join("manifest.json")).unwrap()).unwrap();
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(corpus.join("expected.json")).unwrap()).unwrap();
    let t = TempDir::new("casa");
    let d = t.path("d.sqlite");
    for imp in manifest["imports"].as_array().unwrap() {
        let f = corpus.join(imp["fichier"].as_str().unwrap());
        let mut extra = vec![
            "--territoire",
            manifest["territoire"].as_str().unwrap(),
            "--date-reference",
            manifest["date_reference"].as_str().unwrap(),
        ];
        if let Some(b) = imp["bailleur"].as_str() {
            extra.push("--bailleur");
            extra.push(b);
        }
        let o = import(&d, &extra, &[&f]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let actual = report(&d);
    assert_eq!(actual["date_reference"], expected["date_reference"]);
    assert_eq!(actual["logements"], expected["logements"]);
    assert_eq!(actual["logements"].as_u64().unwrap(), 8000);

    // Cells: equal, except that a conflicting dwelling may count under either value.
    let to_map = |v: &Value| -> BTreeMap<String, u64> {
        v["cellules"].as_array().unwrap().iter().map(|c| (cell_key(c), c["logements"].as_u64().unwrap())).collect()
    };
    let (e, a) = (to_map(&expected), to_map(&actual));
    let differing: Vec<_> =
        e.keys().chain(a.keys()).collect::<BTreeSet<_>>().into_iter().filter(|k| e.get(*k) != a.get(*k)).collect();
    let conflicts = expected["conflits"].as_array().unwrap().len();
    assert!(differing.len() <= 2 * conflicts, "cells differ: {differing:?}");

    // Rejets: same count per (file, motif).
    let rejets = |v: &Value| -> BTreeMap<(String, String), usize> {
        let mut m = BTreeMap::new();
        for r in v["rejets"].as_array().unwrap() {
            *m.entry((r["fichier"].as_str().unwrap().to_string(), r["motif"].as_str().unwrap().to_string()))
                .or_default() += 1;
        }
        m
    };
    assert_eq!(rejets(&actual), rejets(&expected));
    let set = |v: &Value, k: &str| -> BTreeSet<(String, String)> {
        v[k].as_array()
            .unwrap()
            .iter()
            .map(|c| (c["bailleur"].as_str().unwrap().to_string(), c["reference"].as_str().unwrap().to_string()))
            .collect()
    };
    assert_eq!(set(&actual, "conflits"), set(&expected, "conflits"));
    assert_eq!(set(&actual, "echus"), set(&expected, "echus"));
    let echus =
        |v: &Value| -> BTreeSet<String> { v["echus"].as_array().unwrap().iter().map(|c| c.to_string()).collect() };
    assert_eq!(echus(&actual), echus(&expected));
}

#[test]
fn casa_corpus_passes_the_shared_checker() {
    let Some(samples) = samples() else {
        return corpus_absent("le contrôle run_sample.py du corpus casa");
    };
    let script = samples.join("../tools/run_sample.py");
    if !script.exists() || std::process::Command::new("python3").arg("--version").output().is_err() {
        return corpus_absent("le contrôle run_sample.py (script ou python3 absent)");
    }
    let o = std::process::Command::new("python3").arg(&script).arg(bin()).arg(samples.join("casa")).output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    // « SCORE: 1974/1974 cells match »: every cell, whatever their number.
    let score = out.lines().find_map(|l| l.strip_prefix("SCORE: ")).and_then(|s| s.strip_suffix(" cells match"));
    let (ok, total) = score.and_then(|s| s.split_once('/')).expect(&out);
    assert!(ok == total && total.parse::<u32>().is_ok_and(|n| n > 0), "{out}");
}
