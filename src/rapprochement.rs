//! Rapprochement: a réservataire's own declaration (its expected counts per bailleur and
//! commune, or its list of dwelling references) compared with the bailleurs' files, with
//! the gaps both ways per bailleur and commune.

use crate::consolidate::{Cube, Filtre};
use crate::import::cell_text;
use crate::import::header::{Field, ScoreEnTete};
use crate::import::read::read_sheets;
use crate::model::Reservataire;
use crate::reference::reference;
use crate::store::Dossier;
use crate::text::key;
use calamine::Data;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LigneEcart {
    pub bailleur: String,
    pub commune: String,
    pub declare: u64,
    pub dossier: u64,
    /// dossier − déclaré: positive when the bailleurs list more than the réservataire expects.
    pub ecart: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct RefLogement {
    pub bailleur: String,
    pub reference: String,
    pub commune: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Rapprochement {
    pub reservataire: Reservataire,
    /// `effectifs` (counts per bailleur and commune) or `references` (a list of dwellings).
    pub mode: String,
    pub lignes: Vec<LigneEcart>,
    /// Declared dwellings the bailleurs' files do not give to this réservataire.
    pub absents_du_dossier: Vec<RefLogement>,
    /// Dwellings the bailleurs' files give to this réservataire but the declaration omits.
    pub absents_de_la_declaration: Vec<RefLogement>,
    /// Declaration rows that could not be read (line and reason).
    pub lignes_ignorees: Vec<(u32, String)>,
}

#[derive(Default)]
struct Columns {
    bailleur: Option<usize>,
    commune: Option<usize>,
    nombre: Option<usize>,
    reference: Option<usize>,
}

fn detect(rows: &[Vec<String>]) -> Option<(usize, Columns)> {
    for (i, row) in rows.iter().enumerate().take(40) {
        let mut c = Columns::default();
        for (j, label) in row.iter().enumerate() {
            let k = key(label);
            if k.is_empty() {
                continue;
            }
            if c.bailleur.is_none() && (Field::Bailleur.score(&k) > 0 || k.contains("proprietaire")) {
                c.bailleur = Some(j);
            } else if c.commune.is_none()
                && (Field::Commune.score(&k) > 0 || Field::CodeInsee.score(&k) > 0 || k.contains("commune"))
            {
                c.commune = Some(j);
            } else if c.nombre.is_none()
                && ([
                    "nombre",
                    "nb",
                    "logements",
                    "total",
                    "stock",
                    "effectif",
                    "volume",
                    "nombre de logements",
                    "nb logements",
                ]
                .contains(&k.as_str())
                    || k.starts_with("nombre ")
                    || k.starts_with("nb "))
            {
                c.nombre = Some(j);
            } else if c.reference.is_none() && Field::Reference.score(&k) > 0 {
                c.reference = Some(j);
            }
        }
        if c.bailleur.is_some() && (c.nombre.is_some() || c.reference.is_some()) {
            return Some((i, c));
        }
    }
    None
}

/// Compares a declaration file with the dossier's active stock for one réservataire.
/// Why a declaration could not be compared.
#[derive(Debug, thiserror::Error)]
pub enum RapprochementError {
    #[error("{fichier} : lecture impossible ({raison})")]
    Lecture { fichier: String, raison: String },
    #[error(
        "{0} : aucune feuille n'a d'en-tête reconnaissable (bailleur et nombre de logements, ou bailleur et référence du logement)"
    )]
    PasUneDeclaration(String),
    #[error(transparent)]
    Dossier(#[from] crate::store::StoreError),
}

pub fn rapprocher(d: &Dossier, reservataire: &str, declaration: &Path) -> Result<Rapprochement, RapprochementError> {
    let name = declaration.display().to_string();
    let lecture = |raison: String| RapprochementError::Lecture { fichier: name.clone(), raison };
    let bytes = std::fs::read(declaration).map_err(|e| lecture(e.to_string()))?;
    let sheets = read_sheets(&bytes).map_err(|e| lecture(e.0))?;
    let cube = Cube::load(d)?;
    let territoire = d.territoire();
    let bailleurs = cube.bailleurs();
    let bailleur_of = |raw: &str| -> String {
        bailleurs.iter().find(|b| key(b) == key(raw)).cloned().unwrap_or_else(|| raw.trim().to_string())
    };
    let commune_of = |raw: &str| -> Option<String> {
        reference()
            .resolve_commune(raw, &territoire)
            .ok()
            .or_else(|| reference().resolve_commune(raw, &crate::reference::Territoire::Tout).ok())
            .map(|c| c.insee.to_string())
    };
    for sheet in &sheets {
        let rows: Vec<Vec<String>> =
            sheet.range.rows().map(|r| r.iter().map(|c: &Data| cell_text(c).into_owned()).collect()).collect();
        let Some((h, cols)) = detect(&rows) else { continue };
        let mut out = Rapprochement {
            reservataire: Reservataire::new(reservataire),
            mode: String::new(),
            lignes: vec![],
            absents_du_dossier: vec![],
            absents_de_la_declaration: vec![],
            lignes_ignorees: vec![],
        };
        let cell = |row: &Vec<String>, c: Option<usize>| {
            c.and_then(|c| row.get(c)).map(|s| s.trim().to_string()).unwrap_or_default()
        };
        let mut declared: BTreeMap<(String, String), u64> = BTreeMap::new();
        if let Some(rc) = cols.reference {
            out.mode = "references".into();
            let mut refs: BTreeSet<(String, String)> = BTreeSet::new();
            let mut communes: BTreeMap<(String, String), String> = BTreeMap::new();
            for (i, row) in rows.iter().enumerate().skip(h + 1) {
                let (b, r) = (cell(row, cols.bailleur), cell(row, Some(rc)));
                if b.is_empty() || r.is_empty() {
                    if row.iter().any(|c| !c.trim().is_empty()) {
                        out.lignes_ignorees.push((sheet.row_number(i), "bailleur ou référence manquant".into()));
                    }
                    continue;
                }
                let b = bailleur_of(&b);
                if let Some(c) = commune_of(&cell(row, cols.commune)) {
                    communes.insert((b.clone(), r.clone()), c);
                }
                refs.insert((b, r));
            }
            let f = Filtre { reservataire: Some(reservataire.into()), ..Default::default() };
            let in_dossier = crate::consolidate::logements(d, &f, None, None, usize::MAX)?;
            let dossier_refs: BTreeSet<(String, String)> =
                in_dossier.iter().map(|l| (l.bailleur.clone(), l.reference.clone())).collect();
            let mut counted: BTreeMap<(String, String), (u64, u64)> = BTreeMap::new();
            for l in &in_dossier {
                counted.entry((l.bailleur.clone(), l.commune.clone())).or_default().1 += 1;
                if !refs.contains(&(l.bailleur.clone(), l.reference.clone())) {
                    out.absents_de_la_declaration.push(RefLogement {
                        bailleur: l.bailleur.clone(),
                        reference: l.reference.clone(),
                        commune: l.commune.clone(),
                    });
                }
            }
            let commune_in_dossier: BTreeMap<(String, String), String> =
                crate::consolidate::logements(d, &Filtre::default(), None, None, usize::MAX)?
                    .into_iter()
                    .map(|l| ((l.bailleur, l.reference), l.commune))
                    .collect();
            for (b, r) in &refs {
                let commune = communes
                    .get(&(b.clone(), r.clone()))
                    .or_else(|| commune_in_dossier.get(&(b.clone(), r.clone())))
                    .cloned()
                    .unwrap_or_default();
                counted.entry((b.clone(), commune.clone())).or_default().0 += 1;
                if !dossier_refs.contains(&(b.clone(), r.clone())) {
                    out.absents_du_dossier.push(RefLogement { bailleur: b.clone(), reference: r.clone(), commune });
                }
            }
            for ((b, c), (dec, dos)) in counted {
                declared.insert((b.clone(), c.clone()), dec);
                out.lignes.push(LigneEcart {
                    bailleur: b,
                    commune: c,
                    declare: dec,
                    dossier: dos,
                    ecart: dos as i64 - dec as i64,
                });
            }
        } else {
            out.mode = "effectifs".into();
            for (i, row) in rows.iter().enumerate().skip(h + 1) {
                let b = cell(row, cols.bailleur);
                let n = cell(row, cols.nombre).replace([' ', '\u{a0}', '\u{202f}'], "");
                if b.is_empty() && n.is_empty() {
                    continue;
                }
                if key(&b).starts_with("total") {
                    continue;
                }
                let Ok(n) = n.replace(',', ".").parse::<f64>() else {
                    out.lignes_ignorees.push((sheet.row_number(i), format!("nombre illisible « {n} »")));
                    continue;
                };
                let commune_raw = cell(row, cols.commune);
                let commune = if commune_raw.is_empty() {
                    String::new()
                } else {
                    match commune_of(&commune_raw) {
                        Some(c) => c,
                        None => {
                            out.lignes_ignorees
                                .push((sheet.row_number(i), format!("commune inconnue « {commune_raw} »")));
                            continue;
                        }
                    }
                };
                *declared.entry((bailleur_of(&b), commune)).or_default() += n.round().max(0.0) as u64;
            }
            let f = Filtre { reservataire: Some(reservataire.into()), ..Default::default() };
            let mut actual: BTreeMap<(String, String), u64> = BTreeMap::new();
            let by_commune = cols.commune.is_some();
            for c in cube.cellules().filter(|c| f.accepts(c)) {
                let k = (c.bailleur.clone(), if by_commune { c.commune.clone() } else { String::new() });
                *actual.entry(k).or_default() += c.logements;
            }
            let keys: BTreeSet<(String, String)> = declared.keys().chain(actual.keys()).cloned().collect();
            for k in keys {
                let dec = declared.get(&k).copied().unwrap_or(0);
                let dos = actual.get(&k).copied().unwrap_or(0);
                out.lignes.push(LigneEcart {
                    bailleur: k.0,
                    commune: k.1,
                    declare: dec,
                    dossier: dos,
                    ecart: dos as i64 - dec as i64,
                });
            }
        }
        return Ok(out);
    }
    Err(RapprochementError::PasUneDeclaration(name))
}
