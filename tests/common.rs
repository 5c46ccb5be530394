use rust_xlsxwriter::Workbook;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_contingents")
}

/// A fresh directory for one test, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "contingents-test-{}-{}-{}",
            name,
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn run(args: &[&str]) -> Output {
    Command::new(bin()).args(args).env("HOME", std::env::temp_dir()).output().expect("run contingents")
}

pub fn run_ok(args: &[&str]) -> String {
    let o = run(args);
    assert!(
        o.status.success(),
        "contingents {args:?} failed ({:?}): {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

pub fn import(dossier: &Path, extra: &[&str], files: &[&Path]) -> Output {
    let mut args = vec!["import", "--dossier", dossier.to_str().unwrap()];
    args.extend_from_slice(extra);
    for f in files {
        args.push(f.to_str().unwrap());
    }
    run(&args)
}

/// A dossier made by importing `n` generated dwellings of the Toulon metropolis (bailleur
/// file `grand_bailleur.xlsx`).
pub fn generated_dossier(t: &TempDir, n: usize, seed: u64) -> PathBuf {
    let f = t.path("grand_bailleur.xlsx");
    let rows = contingents::demo::generate_rows("248300543", "G", n, seed);
    contingents::demo::write_xlsx(&f, &rows, None).unwrap();
    let d = t.path("d.sqlite");
    import_ok(&d, &["--territoire", "248300543", "--date-reference", "2025-01-01"], &[&f]);
    d
}

pub fn report(dossier: &Path) -> Value {
    serde_json::from_str(&run_ok(&["report", "--dossier", dossier.to_str().unwrap(), "--format", "json"])).unwrap()
}

/// Sum of the report's cells matching a predicate.
pub fn cells_sum(r: &Value, pred: impl Fn(&Value) -> bool) -> u64 {
    r["cellules"].as_array().unwrap().iter().filter(|c| pred(c)).map(|c| c["logements"].as_u64().unwrap()).sum()
}

/// Writes rows of strings to an xlsx sheet per (sheet name, rows).
pub fn xlsx(path: &Path, sheets: &[(&str, Vec<Vec<&str>>)]) {
    let mut wb = Workbook::new();
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32, c as u16, *v).unwrap();
                }
            }
        }
    }
    wb.save(path).unwrap();
}

pub const HEADER: [&str; 6] = ["Référence", "Code INSEE", "Commune", "Réservataire", "Typologie", "Financement"];

/// One dwelling of an état des lieux in the layout of [`HEADER`].
pub fn ligne(
    reference: impl Into<String>,
    insee: &str,
    commune: &str,
    reservataire: &str,
    typologie: &str,
    financement: &str,
) -> Vec<String> {
    vec![reference.into(), insee.into(), commune.into(), reservataire.into(), typologie.into(), financement.into()]
}

/// An état des lieux in the layout of [`HEADER`], on one sheet « EDL » (empty cells left blank).
pub fn edl(path: &Path, lignes: impl IntoIterator<Item = Vec<String>>) {
    let rows: Vec<Vec<String>> =
        std::iter::once(HEADER.iter().map(|s| s.to_string()).collect()).chain(lignes).collect();
    let refs: Vec<Vec<&str>> = rows.iter().map(|r| r.iter().map(String::as_str).collect()).collect();
    xlsx(path, &[("EDL", refs)]);
}

/// Imports `files` into `dossier` with the options `extra`, and checks the import succeeded.
pub fn import_ok(dossier: &Path, extra: &[&str], files: &[&Path]) {
    let o = import(dossier, extra, files);
    assert!(o.status.success(), "import {extra:?} failed: {}", String::from_utf8_lossy(&o.stderr));
}

/// A minimal stored (uncompressed) zip archive.
pub fn zip_store(files: &[(&str, &[u8])]) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for b in data {
            crc ^= *b as u32;
            for _ in 0..8 {
                crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let offset = out.len() as u32;
        let crc = crc32(data);
        let mut h = Vec::new();
        h.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        h.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        h.extend_from_slice(&crc.to_le_bytes());
        h.extend_from_slice(&(data.len() as u32).to_le_bytes());
        h.extend_from_slice(&(data.len() as u32).to_le_bytes());
        h.extend_from_slice(&(name.len() as u16).to_le_bytes());
        h.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&h);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&(data.len() as u32).to_le_bytes());
        central.extend_from_slice(&(data.len() as u32).to_le_bytes());
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0; 12]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// The SHA-256 of a file: « left byte for byte » is this, unchanged.
pub fn empreinte(path: &Path) -> String {
    contingents::sha256::hex_digest(&std::fs::read(path).unwrap())
}

/// Standard error as one trimmed line (the messages of exit 1 are one line).
pub fn erreur(o: &Output) -> String {
    let e = String::from_utf8_lossy(&o.stderr).trim().to_string();
    assert_eq!(e.lines().count(), 1, "one line: {e}");
    assert!(!e.contains("panicked") && !e.contains("erreur interne"), "{e}");
    e
}

/// `historique --format json`.
pub fn historique(dossier: &Path) -> Value {
    serde_json::from_str(&run_ok(&["historique", "--dossier", dossier.to_str().unwrap(), "--format", "json"])).unwrap()
}

/// An état des lieux of `n` dwellings in Antibes (CASA): references `{prefix}1`…, one in three
/// for the State, the others not reserved.
pub fn edl_antibes(path: &Path, prefix: &str, n: usize) {
    edl(
        path,
        (1..=n).map(|i| {
            let res = if i % 3 == 0 { "Préfecture" } else { "Non réservé" };
            ligne(format!("{prefix}{i}"), "06004", "Antibes", res, "T3", "PLUS")
        }),
    );
}

/// Text written in Windows-1252 with CRLF line ends, as a bailleur's software exports CSV.
pub fn csv_1252(path: &Path, lines: &[&str]) {
    let text = lines.join("\r\n") + "\r\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
    std::fs::write(path, bytes).unwrap();
}

/// The sample corpora of `shared/samples` (`casa`, `casa-suivi`): under `CONTINGENTS_SAMPLES`,
/// else in a `shared/samples` of the project's folder or one of its parents (a worktree lives
/// deeper than the main checkout).
pub fn samples() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("CONTINGENTS_SAMPLES") {
        return Some(PathBuf::from(d)).filter(|p| p.join("casa/manifest.json").exists());
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared/samples"))
        .find(|p| p.join("casa/manifest.json").exists())
}

/// A test of the sample corpus without it: said where it is seen (written to the terminal
/// even when the test passes: the harness captures only `print!`), and a failure when
/// `CONTINGENTS_EXIGER_CORPUS` asks for the corpus — never a silent pass.
pub fn corpus_absent(quoi: &str) {
    use std::io::Write as _;
    let m = format!("SAUTÉ : corpus shared/samples absent — {quoi} n'est pas rejoué\n");
    let _ = std::io::stderr().write_all(m.as_bytes());
    assert!(std::env::var_os("CONTINGENTS_EXIGER_CORPUS").is_none(), "{m}");
}

/// The text of a PDF (`pdftotext -layout`), or `None` with a visible message when poppler's
/// `pdftotext` is not installed.
pub fn texte_du_pdf(pdf: &Path) -> Option<String> {
    let o = Command::new("pdftotext").arg("-layout").arg(pdf).arg("-").output();
    match o {
        Ok(o) if o.status.success() => Some(String::from_utf8_lossy(&o.stdout).into_owned()),
        Ok(o) => panic!("pdftotext a échoué sur {} : {}", pdf.display(), String::from_utf8_lossy(&o.stderr)),
        Err(_) => {
            eprintln!("SAUTÉ : pdftotext absent (apt install poppler-utils), {} n'est pas relu", pdf.display());
            None
        }
    }
}

/// A file of a zip archive (an xlsx), as text; `None` with a visible message without `unzip`.
pub fn zip_entry(path: &Path, name: &str) -> Option<String> {
    match std::process::Command::new("unzip").arg("-p").arg(path).arg(name).output() {
        Ok(o) if o.status.success() => Some(String::from_utf8_lossy(&o.stdout).into_owned()),
        _ => {
            eprintln!("SAUTÉ : unzip absent, {name} de {} n'est pas relu", path.display());
            None
        }
    }
}

/// Azur in the CASA: Antibes 120 dwellings (Action Logement 48, the commune 12, 60 not
/// reserved), Vallauris 80 (Action Logement 2, 78 not reserved). With a rotation of 10 % and
/// no mutation: libérations 20, flux 20 — Antibes 12, Vallauris 8 (pro rata of the assiette);
/// Action Logement 50 / 200 = 25 % → 5, by commune 25 % × 12 = 3 and 25 % × 8 = 2.
pub fn azur(t: &TempDir) -> PathBuf {
    let mut rows: Vec<Vec<String>> = vec![HEADER.iter().map(|s| s.to_string()).collect()];
    let mut add = |n: usize, insee: &str, commune: &str, res: &str| {
        for _ in 0..n {
            let i = rows.len();
            rows.push(vec![
                format!("AZ{i}"),
                insee.into(),
                commune.into(),
                res.into(),
                ["T2", "T3", "T4"][i % 3].into(),
                "PLUS".into(),
            ]);
        }
    };
    add(48, "06004", "Antibes", "Action Logement");
    add(12, "06004", "Antibes", "Commune d'Antibes");
    add(60, "06004", "Antibes", "Non réservé");
    add(2, "06155", "Vallauris", "Action Logement");
    add(78, "06155", "Vallauris", "Non réservé");
    let refs: Vec<Vec<&str>> = rows.iter().map(|r| r.iter().map(String::as_str).collect()).collect();
    let f = t.path("azur.xlsx");
    xlsx(&f, &[("EDL", refs)]);
    let d = t.path("d.sqlite");
    let o = import(&d, &["--bailleur", "Azur", "--territoire", "240600585", "--date-reference", "2025-01-01"], &[&f]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    d
}

/// The arguments of `contingents flux` of `bailleur` on `lieu` (`["--epci", SIREN]` or
/// `["--departement", DEP]`) in `annee`, then `extra`.
pub fn flux_args<'a>(
    dossier: &'a str,
    bailleur: &'a str,
    lieu: [&'a str; 2],
    annee: &'a str,
    extra: &[&'a str],
) -> Vec<&'a str> {
    [&["flux", "--dossier", dossier, "--bailleur", bailleur], &lieu[..], &["--annee", annee], extra].concat()
}

/// `contingents flux` of `bailleur` on `lieu` in `annee` with `extra`: its output (must succeed).
pub fn flux_ok(dossier: &str, bailleur: &str, lieu: [&str; 2], annee: &str, extra: &[&str]) -> String {
    run_ok(&flux_args(dossier, bailleur, lieu, annee, extra))
}

/// The same in JSON (`--format json` added).
pub fn flux_json(dossier: &str, bailleur: &str, lieu: [&str; 2], annee: &str, extra: &[&str]) -> Value {
    json(&flux_args(dossier, bailleur, lieu, annee, &[extra, &["--format", "json"]].concat()))
}

/// The arguments of `contingents flux` for the bailleur Azur on the CASA (EPCI 240600585) in
/// `annee`, then `extra`.
fn flux_azur_args<'a>(d: &'a Path, annee: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    flux_args(d.to_str().unwrap(), "Azur", ["--epci", "240600585"], annee, extra)
}

/// `contingents flux` of Azur on the CASA in `annee` with `extra`: its output (must succeed).
pub fn flux_azur(d: impl AsRef<Path>, annee: i32, extra: &[&str]) -> String {
    let annee = annee.to_string();
    run_ok(&flux_azur_args(d.as_ref(), &annee, extra))
}

/// The same, whatever its exit.
pub fn flux_azur_run(d: impl AsRef<Path>, annee: i32, extra: &[&str]) -> Output {
    let annee = annee.to_string();
    run(&flux_azur_args(d.as_ref(), &annee, extra))
}

/// The same in JSON (`--format json` added).
pub fn flux_azur_json(d: impl AsRef<Path>, annee: i32, extra: &[&str]) -> Value {
    serde_json::from_str(&flux_azur(d, annee, &[extra, &["--format", "json"]].concat())).unwrap()
}

/// The JSON bilan of Azur on the CASA (EPCI 240600585) for `annee`.
pub fn bilan_azur_json(dossier: &str, annee: &str) -> Value {
    bilan_json(dossier, annee, &["--bailleur", "Azur", "--epci", "240600585"])
}

/// `contingents bilan` of `annee` with `extra` (bailleur, EPCI, période…), in JSON.
pub fn bilan_json(dossier: &str, annee: &str, extra: &[&str]) -> Value {
    json(&[&["bilan", "--dossier", dossier, "--annee", annee], extra, &["--format", "json"]].concat())
}

/// `contingents bilan` of `annee` with `extra`, written to `out` (xlsx or pdf; must succeed).
pub fn bilan_vers(dossier: &str, annee: &str, extra: &[&str], out: &Path) {
    let out = out.to_str().unwrap();
    run_ok(&[&["bilan", "--dossier", dossier, "--annee", annee], extra, &["--out", out]].concat());
}

/// `contingents suivi import` of one register for `bailleur` (must succeed): its output.
pub fn suivi_import(dossier: &str, bailleur: &str, registre: &Path) -> String {
    run_ok(&["suivi", "import", "--dossier", dossier, "--bailleur", bailleur, registre.to_str().unwrap()])
}

/// The flux of `bailleur` on the EPCI in `annee`, saved with a rotation of 100 % and no
/// mutation: its flux is its stock (the objectives of the bilans are then easy to count).
pub fn flux_enregistre(dossier: &str, bailleur: &str, epci: &str, annee: &str) -> String {
    flux_ok(dossier, bailleur, ["--epci", epci], annee, &["--rotation", "100", "--mutations", "0", "--enregistrer"])
}

/// `contingents export DOCUMENT --dossier D ARGS… --out OUT` (must succeed): its output.
pub fn exporter(document: &str, dossier: &str, args: &[&str], out: &Path) -> String {
    let out = out.to_str().unwrap();
    run_ok(&[&["export", document, "--dossier", dossier], args, &["--out", out]].concat())
}

/// The output of a command in JSON (must succeed).
pub fn json(args: &[&str]) -> Value {
    serde_json::from_str(&run_ok(args)).unwrap()
}

/// A réservataire's entry in the JSON of `flux` (its part) or of `bilan`.
pub fn part<'a>(f: &'a Value, id: &str) -> &'a Value {
    f["reservataires"].as_array().unwrap().iter().find(|r| r["id"] == id).unwrap_or_else(|| panic!("{id} absent"))
}

/// A réservataire's logements in the JSON of `flux` (all its perimeters).
pub fn logements(f: &Value, id: &str) -> u64 {
    f["reservataires"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["id"] == id)
        .map(|r| r["logements"].as_u64().unwrap())
        .sum()
}
