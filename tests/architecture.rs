//! The direction of the layers (README, « Carte du code »), checked on the sources: each module
//! of the core may name (`use crate::…`, `crate::…::…`) its own layer and the layers below,
//! never a layer above; the core never names the faces (`ui`, `cli`). A new module of the core
//! must be given its layer here, so that the map cannot drift from the code.

use std::path::{Path, PathBuf};

/// The layers of the core, lowest first. A module may use its own layer and those below.
const COUCHES: &[(&str, &[&str])] = &[
    ("outils", &["text", "hasard", "sha256", "fichier"]),
    ("mots du domaine", &["model", "reference", "format"]),
    ("dossier", &["store"]),
    ("lecture des fichiers", &["import"]),
    ("consolidation", &["consolidate"]),
    ("flux", &["flux", "rapprochement"]),
    ("suivi", &["suivi"]),
    ("documents", &["export", "charts", "demo"]),
];

/// Besides the layers: the documents never read a bailleur's file.
const INTERDITS: &[(&str, &str)] = &[("export", "import")];

fn couche(module: &str) -> Option<usize> {
    COUCHES.iter().position(|(_, mods)| mods.contains(&module))
}

/// The text without its comments (line, doc and block comments) and string literals, lines kept.
fn sans_commentaires(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if b[i] == b'\n' {
                        out.push('\n');
                    }
                    i += 1;
                }
            }
        } else if b[i] == b'"' && (i == 0 || b[i - 1] != b'\'') {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                if b.get(i) == Some(&b'\n') {
                    out.push('\n');
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else {
            let c = src[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

fn identifiant(s: &str) -> &str {
    let fin = s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(s.len());
    &s[..fin]
}

/// The modules of the crate a source names, with their line: `crate::x…` and each item of
/// `crate::{x::…, y}`.
fn dependances(src: &str) -> Vec<(String, usize)> {
    let code = sans_commentaires(src);
    let mut out = Vec::new();
    let mut reste = code.as_str();
    while let Some(p) = reste.find("crate::") {
        let avant = &code[..code.len() - reste.len() + p];
        let ligne = avant.matches('\n').count() + 1;
        // `contingents::crate::` does not exist; `$crate::` in a macro is the same crate.
        let apres = &reste[p + "crate::".len()..];
        if let Some(groupe) = apres.strip_prefix('{') {
            let mut depth = 1;
            let mut debut = 0;
            for (k, c) in groupe.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' | ',' if depth == 1 => {
                        let item = identifiant(groupe[debut..k].trim());
                        if !item.is_empty() && item != "self" {
                            out.push((item.to_string(), ligne));
                        }
                        debut = k + 1;
                        if c == '}' {
                            break;
                        }
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
        } else {
            let item = identifiant(apres);
            if !item.is_empty() {
                out.push((item.to_string(), ligne));
            }
        }
        reste = apres;
    }
    out
}

/// The faults of one file of module `module`: (dependency, line, why).
fn fautes(module: &str, src: &str) -> Vec<String> {
    let Some(ici) = couche(module) else {
        return vec![format!(
            "le module {module} n'a pas de couche : donnez-lui sa place dans COUCHES et dans le README"
        )];
    };
    let mut out = Vec::new();
    for (dep, ligne) in dependances(src) {
        if dep == module {
            continue;
        }
        if dep == "ui" || dep == "cli" {
            out.push(format!("ligne {ligne} : le cœur ({module}) nomme la face {dep}"));
            continue;
        }
        if INTERDITS.contains(&(module, dep.as_str())) {
            out.push(format!("ligne {ligne} : {module} ne doit pas dépendre de {dep}"));
            continue;
        }
        match couche(&dep) {
            Some(la) if la > ici => out.push(format!(
                "ligne {ligne} : {module} (couche « {} ») importe {dep} (couche « {} », plus haute)",
                COUCHES[ici].0, COUCHES[la].0
            )),
            Some(_) => {}
            // An item of the crate root (none today) or a macro: nothing to check.
            None => {}
        }
    }
    // The core is a library: it never names the binary's modules through the crate's name.
    for (n, l) in sans_commentaires(src).lines().enumerate() {
        if l.contains("contingents::") {
            out.push(format!("ligne {} : le cœur se nomme lui-même par « contingents:: »", n + 1));
        }
    }
    out
}

fn fichiers(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            fichiers(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn each_layer_of_the_core_uses_only_the_layers_below() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut tous = Vec::new();
    fichiers(&src, &mut tous);
    tous.sort();
    let mut erreurs = Vec::new();
    let mut vus = 0;
    for f in &tous {
        let rel = f.strip_prefix(&src).unwrap();
        let premier = rel.components().next().unwrap().as_os_str().to_string_lossy().to_string();
        let module = premier.trim_end_matches(".rs").to_string();
        // The faces and the crate's roots.
        if matches!(module.as_str(), "ui" | "cli" | "main" | "lib") {
            continue;
        }
        vus += 1;
        let texte = std::fs::read_to_string(f).unwrap();
        for e in fautes(&module, &texte) {
            erreurs.push(format!("src/{} : {e}", rel.display()));
        }
    }
    assert!(vus > 40, "les fichiers du cœur n'ont pas été trouvés ({vus})");
    assert!(erreurs.is_empty(), "sens des dépendances non respecté :\n{}", erreurs.join("\n"));
}

/// lib.rs declares the core and nothing else: the faces live in the binary (main.rs).
#[test]
fn the_library_declares_the_core_only() {
    let lib = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    for l in sans_commentaires(&lib).lines() {
        if let Some(m) = l.trim().strip_prefix("pub mod ").or_else(|| l.trim().strip_prefix("mod ")) {
            let m = m.trim_end_matches(';');
            assert!(couche(m).is_some(), "src/lib.rs : le module {m} n'a pas de couche (COUCHES, README)");
        }
    }
}

/// The checker itself: it sees grouped imports and full paths, ignores comments and strings,
/// and names the file, the line and both layers.
#[test]
fn the_checker_finds_an_upward_import() {
    let src = "//! See crate::ui::App.\nuse crate::{model::Date, import::Context};\n\
               fn f() { let s = \"crate::flux\"; crate::consolidate::Cube::default(); }\n";
    let deps: Vec<(String, usize)> = dependances(src);
    assert_eq!(deps, vec![("model".to_string(), 2), ("import".to_string(), 2), ("consolidate".to_string(), 3)]);
    let f = fautes("store", src);
    assert_eq!(f.len(), 2, "{f:?}");
    assert!(f[0].contains("ligne 2") && f[0].contains("store") && f[0].contains("import"), "{}", f[0]);
    assert!(f[1].contains("ligne 3") && f[1].contains("consolidate"), "{}", f[1]);
    assert!(fautes("export", "use crate::import::read;").iter().any(|e| e.contains("ne doit pas dépendre")));
    assert!(fautes("model", "fn f() -> crate::ui::App {}")[0].contains("face ui"));
    assert!(fautes("nouveau", "")[0].contains("n'a pas de couche"));
    assert!(fautes("flux", "use crate::consolidate::nom_commune;").is_empty());
}
