//! Bad input never crashes, never writes half a dossier: exit 1, one line naming the file
//! and the reason, and the dossier byte-for-byte unchanged even when the bad file comes
//! after good files in the same invocation.

use crate::common::*;
use std::path::PathBuf;

fn good_file(t: &TempDir) -> PathBuf {
    let f = t.path("good.xlsx");
    xlsx(&f, &[("EDL", vec![HEADER.to_vec(), vec!["1", "06004", "Antibes", "Préfecture", "T3", "PLUS"]])]);
    f
}

fn bad_files(t: &TempDir) -> Vec<(&'static str, PathBuf)> {
    let good = std::fs::read(good_file(t)).unwrap();
    let mut cfb = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    cfb.extend(vec![0u8; 504]);
    cfb.extend("EncryptedPackage".encode_utf16().flat_map(|u| u.to_le_bytes()));
    cfb.extend(vec![0u8; 512]);
    let mut random = Vec::new();
    let mut x: u64 = 42;
    for _ in 0..4096 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        random.push((x & 0xff) as u8);
    }
    let cases: Vec<(&str, &str, Vec<u8>)> = vec![
        ("vide", "vide.xlsx", vec![]),
        ("texte renommé", "texte.xlsx", b"Ceci n'est pas un classeur.\nJuste du texte.\n".to_vec()),
        ("archive tronquée", "tronque.xlsx", good[..good.len() / 2].to_vec()),
        ("octets aléatoires", "aleatoire.xlsx", random.clone()),
        ("octets aléatoires csv", "aleatoire.csv", random),
        ("zip sans classeur", "zip.xlsx", zip_store(&[("readme.txt", b"bonjour")])),
        ("mot de passe", "protege.xlsx", cfb),
        ("csv utf-8 invalide", "invalide.csv", b"\xef\xbb\xbfREF;CONTINGENT\n1;\xff\xfe\n".to_vec()),
        ("csv sans en-tete", "autre.csv", b"a;b;c\n1;2;3\n".to_vec()),
    ];
    cases
        .into_iter()
        .map(|(what, name, bytes)| {
            let p = t.path(name);
            std::fs::write(&p, bytes).unwrap();
            (what, p)
        })
        .collect()
}

#[test]
fn bad_files_are_refused_and_leave_the_dossier_unchanged() {
    let t = TempDir::new("bad");
    let good = good_file(&t);
    let d = t.path("d.sqlite");
    assert!(import(&d, &["--bailleur", "B"], &[&good]).status.success());
    let before = std::fs::read(&d).unwrap();
    for (what, bad) in bad_files(&t) {
        let o = import(&d, &["--bailleur", "B"], &[&good, &bad]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{what}: {err}");
        let name = bad.file_name().unwrap().to_string_lossy().to_string();
        assert!(err.contains(&name), "{what}: message must name the file: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{what}: one line: {err}");
        assert!(!err.contains("panicked"), "{what}: {err}");
        assert_eq!(std::fs::read(&d).unwrap(), before, "{what}: dossier changed");
    }
}

#[test]
fn a_bad_file_never_creates_a_dossier_with_content() {
    let t = TempDir::new("bad-new");
    let d = t.path("new.sqlite");
    let bad = t.path("vide.csv");
    std::fs::write(&bad, b"").unwrap();
    let o = import(&d, &["--bailleur", "B"], &[&bad]);
    assert_eq!(o.status.code(), Some(1));
    if d.exists() {
        let r = report(&d);
        assert_eq!(r["logements"], 0);
        assert!(run_ok(&["historique", "--dossier", d.to_str().unwrap()]).trim().is_empty());
    }
}

#[test]
fn a_file_without_bailleur_is_refused() {
    let t = TempDir::new("nobailleur");
    let f = t.path("etat_des_lieux_2024.xlsx");
    std::fs::copy(good_file(&t), &f).unwrap();
    let o = import(&t.path("d.sqlite"), &[], &[&f]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--bailleur"));
}
