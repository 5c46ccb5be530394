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
        if what == "texte renommé" {
            assert!(err.contains("ce n'est pas un classeur"), "{what}: says what the file really is: {err}");
        }
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

/// A minimal workbook written by hand (inline strings), as some exporters do.
fn handmade_xlsx(rows: &[Vec<(usize, String)>]) -> Vec<u8> {
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (i, cells) in rows.iter().enumerate() {
        sheet.push_str(&format!(r#"<row r="{}">"#, i + 1));
        for (col, v) in cells {
            let letter = (b'A' + *col as u8) as char;
            sheet.push_str(&format!(r#"<c r="{letter}{}" t="inlineStr"><is><t>{v}</t></is></c>"#, i + 1));
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    let types = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
    let rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
    let workbook = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="EDL" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    let wb_rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
    zip_store(&[
        ("[Content_Types].xml", types.as_bytes()),
        ("_rels/.rels", rels.as_bytes()),
        ("xl/workbook.xml", workbook.as_bytes()),
        ("xl/_rels/workbook.xml.rels", wb_rels.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
    ])
}

/// Far down a long sheet (read in streamed batches), cells given right to left are read
/// as they are, without a crash.
#[test]
fn cells_out_of_order_in_a_long_sheet_are_read() {
    let t = TempDir::new("desordre");
    let mut rows: Vec<Vec<(usize, String)>> =
        vec![HEADER.iter().enumerate().map(|(i, h)| (i, h.to_string())).collect()];
    for i in 0..900 {
        let mut cells: Vec<(usize, String)> = vec![
            (0, format!("L{i}")),
            (1, "06004".into()),
            (2, "Antibes".into()),
            (3, if i % 2 == 0 { "Préfecture" } else { "Action Logement" }.into()),
            (4, "T3".into()),
            (5, "PLUS".into()),
        ];
        if i % 100 == 77 {
            cells.reverse();
        }
        rows.push(cells);
    }
    let f = t.path("fait_main.xlsx");
    std::fs::write(&f, handmade_xlsx(&rows)).unwrap();
    let d = t.path("d.sqlite");
    let o = import(&d, &["--bailleur", "B"], &[&f]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = report(&d);
    assert_eq!(r["logements"], 900);
    assert_eq!(cells_sum(&r, |c| c["reservataire"] == "etat"), 450);
    assert_eq!(cells_sum(&r, |c| c["financement"] == "PLUS"), 900);
}
