//! Faults: the process killed (SIGKILL) in the middle of an import, many times at random
//! points, leaves the dossier with exactly its previous content; a read-only dossier gets
//! a clear message.

use crate::common::*;
use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn a_killed_import_leaves_the_dossier_as_it_was() {
    let t = TempDir::new("kill");
    let d = t.path("d.sqlite");
    let small = t.path("petit_bailleur.xlsx");
    let rows = contingents::demo::generate_rows("248300543", "P", 50, 1);
    contingents::demo::write_xlsx(&small, &rows, None).unwrap();
    assert!(import(&d, &["--territoire", "248300543", "--date-reference", "2025-01-01"], &[&small]).status.success());
    let before = report(&d);
    let big = t.path("grand_bailleur.xlsx");
    let rows = contingents::demo::generate_rows("248300543", "G", 40_000, 2);
    contingents::demo::write_xlsx(&big, &rows, None).unwrap();

    // How long a full import takes, to kill at points spread over it.
    let probe = t.path("probe.sqlite");
    std::fs::copy(&d, &probe).unwrap();
    let t0 = Instant::now();
    assert!(import(&probe, &[], &[&big]).status.success());
    let full = t0.elapsed().as_millis().max(50) as u64;

    let mut seed = 0x2545_F491_4F6C_DD1Du64 ^ (std::process::id() as u64);
    for round in 0..10 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let after = Duration::from_millis(seed % full);
        let mut child = Command::new(bin())
            .args(["import", "--dossier", d.to_str().unwrap(), big.to_str().unwrap()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(after);
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        let now = report(&d);
        if status.success() {
            // The import finished before the kill: the new state is complete, not partial.
            assert_eq!(
                now["logements"].as_u64().unwrap(),
                before["logements"].as_u64().unwrap() + 40_000,
                "round {round}"
            );
            return;
        }
        assert_eq!(now, before, "round {round}: killed after {after:?}, the dossier changed");
        let c = rusqlite::Connection::open(&d).unwrap();
        let ok: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(ok, "ok");
        // A bulk import drops the dwellings index and rebuilds it at commit: a kill in
        // between leaves it as it was.
        let index: i64 = c
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'logements_import'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(index, 1, "round {round}: the dwellings index is there");
    }
    assert!(import(&d, &[], &[&big]).status.success(), "an import after the kills succeeds");
    assert!(report(&d)["logements"].as_u64().unwrap() > before["logements"].as_u64().unwrap());
}

#[test]
fn a_read_only_dossier_gets_a_clear_message() {
    let t = TempDir::new("ro");
    let d = t.path("d.sqlite");
    let f = t.path("b.xlsx");
    xlsx(&f, &[("EDL", vec![HEADER.to_vec(), vec!["1", "06004", "Antibes", "Préfecture", "T3", "PLUS"]])]);
    assert!(import(&d, &["--bailleur", "B"], &[&f]).status.success());
    let mut perm = std::fs::metadata(&d).unwrap().permissions();
    perm.set_readonly(true);
    std::fs::set_permissions(&d, perm.clone()).unwrap();
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    let o = import(&d, &["--bailleur", "C"], &[&f]);
    if !is_root {
        assert_eq!(o.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&o.stderr).contains("lecture seule"), "{}", String::from_utf8_lossy(&o.stderr));
    }
    // Reading still works on a read-only file.
    assert_eq!(report(&d)["logements"], if is_root { 2 } else { 1 });
    #[allow(clippy::permissions_set_readonly_false)]
    perm.set_readonly(false);
    std::fs::set_permissions(&d, perm).unwrap();
}
