//! The dossier file: re-import replaces, restore brings back, newer schemas are refused.

use crate::common::*;

fn one_row_file(path: &std::path::Path, reservataire: &str, n: usize) {
    let mut rows: Vec<Vec<String>> = vec![HEADER.iter().map(|s| s.to_string()).collect()];
    for i in 0..n {
        rows.push(vec![
            format!("L{i}"),
            "06004".into(),
            "Antibes".into(),
            reservataire.into(),
            "T3".into(),
            "PLUS".into(),
        ]);
    }
    let refs: Vec<Vec<&str>> = rows.iter().map(|r| r.iter().map(String::as_str).collect()).collect();
    xlsx(path, &[("EDL", refs)]);
}

#[test]
fn reimport_replaces_and_restore_brings_back() {
    let t = TempDir::new("restore");
    let d = t.path("d.sqlite");
    let v1 = t.path("v1.xlsx");
    let v2 = t.path("v2.xlsx");
    one_row_file(&v1, "Préfecture", 3);
    one_row_file(&v2, "Action Logement", 5);
    assert!(import(&d, &["--bailleur", "Azur"], &[&v1]).status.success());
    assert!(import(&d, &["--bailleur", "Azur"], &[&v2]).status.success());
    let r = report(&d);
    assert_eq!(r["logements"], 5, "no double counting");
    assert_eq!(cells_sum(&r, |c| c["reservataire"] == "action-logement"), 5);
    let hist = run_ok(&["historique", "--dossier", d.to_str().unwrap()]);
    assert_eq!(hist.lines().count(), 2, "{hist}");
    run_ok(&["restore", "--dossier", d.to_str().unwrap(), "--import", "1"]);
    let r = report(&d);
    assert_eq!(r["logements"], 3);
    assert_eq!(cells_sum(&r, |c| c["reservataire"] == "etat"), 3);
    let o = run(&["restore", "--dossier", d.to_str().unwrap(), "--import", "99"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn settings_are_kept_in_the_dossier() {
    let t = TempDir::new("settings");
    let d = t.path("d.sqlite");
    let f = t.path("b.xlsx");
    one_row_file(&f, "Préfecture", 1);
    assert!(
        import(&d, &["--bailleur", "B", "--territoire", "240600585", "--date-reference", "2023-06-30"], &[&f])
            .status
            .success()
    );
    assert!(import(&d, &["--bailleur", "C"], &[&f]).status.success());
    let r = report(&d);
    assert_eq!(r["date_reference"], "2023-06-30");
    assert_eq!(r["territoire"], "240600585");
    assert_eq!(r["logements"], 2);
}

#[test]
fn a_dossier_from_a_newer_version_is_refused_untouched() {
    let t = TempDir::new("newer");
    let d = t.path("d.sqlite");
    let f = t.path("b.xlsx");
    one_row_file(&f, "Préfecture", 1);
    assert!(import(&d, &["--bailleur", "B"], &[&f]).status.success());
    {
        let c = rusqlite::Connection::open(&d).unwrap();
        c.pragma_update(None, "user_version", 99).unwrap();
    }
    let before = std::fs::read(&d).unwrap();
    for args in [
        vec!["report", "--dossier", d.to_str().unwrap()],
        vec!["import", "--dossier", d.to_str().unwrap(), "--bailleur", "B", f.to_str().unwrap()],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("plus récente"), "{err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
    }
    assert_eq!(std::fs::read(&d).unwrap(), before);
}

#[test]
fn usage_errors_exit_1_without_backtrace() {
    let o = run(&["import"]);
    assert_eq!(o.status.code(), Some(1));
    let o = run(&["report", "--dossier", "/nonexistent/dir/d.sqlite"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("n'existe pas"));
    let o = run(&["grid", "--dossier", "x", "--reservataire", "etat", "--format", "pdf"]);
    assert_eq!(o.status.code(), Some(1));
    let v = run_ok(&["--version"]);
    assert!(v.contains("COG 2026"), "{v}");
}
