//! The import pipeline: bytes → sheets → header and column mapping → raw rows →
//! normalised dwellings or rejets → de-duplicated stock. Each step is a small function
//! tested alone; the store writes what comes out in one transaction.

pub mod header;
pub mod normalize;
pub mod read;
pub mod run;

use crate::model::{Date, Financement, IndividuelCollectif, Logement, Reservataire, Typologie};
use crate::reference::{CommuneError, Territoire, reference};
use crate::text::{FastMap, clean, is_error_marker, key};
use calamine::Data;
use header::{Field, HeaderMatch, detect_header};
use normalize::{Correspondance, ReservataireResolver};
use read::SheetData;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::HashMap;

/// Why a readable row was set aside (the `motif` of `interfaces.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Motif {
    ReferenceManquante,
    CommuneInconnue,
    CommuneHorsTerritoire,
    TypologieInconnue,
    FinancementInconnu,
    ReservataireInconnu,
    LigneIllisible,
}

impl Motif {
    pub const ALL: [Motif; 7] = [
        Motif::ReferenceManquante,
        Motif::CommuneInconnue,
        Motif::CommuneHorsTerritoire,
        Motif::TypologieInconnue,
        Motif::FinancementInconnu,
        Motif::ReservataireInconnu,
        Motif::LigneIllisible,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Motif::ReferenceManquante => "reference_manquante",
            Motif::CommuneInconnue => "commune_inconnue",
            Motif::CommuneHorsTerritoire => "commune_hors_territoire",
            Motif::TypologieInconnue => "typologie_inconnue",
            Motif::FinancementInconnu => "financement_inconnu",
            Motif::ReservataireInconnu => "reservataire_inconnu",
            Motif::LigneIllisible => "ligne_illisible",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// French wording for the window and messages.
    pub fn label(self) -> &'static str {
        match self {
            Motif::ReferenceManquante => "Référence manquante",
            Motif::CommuneInconnue => "Commune inconnue",
            Motif::CommuneHorsTerritoire => "Commune hors du territoire",
            Motif::TypologieInconnue => "Typologie inconnue",
            Motif::FinancementInconnu => "Financement inconnu",
            Motif::ReservataireInconnu => "Réservataire inconnu",
            Motif::LigneIllisible => "Ligne illisible",
        }
    }

    /// The field whose label the user can map to resolve this motif.
    pub fn champ(self) -> Option<&'static str> {
        match self {
            Motif::CommuneInconnue => Some("commune"),
            Motif::TypologieInconnue => Some("typologie"),
            Motif::FinancementInconnu => Some("financement"),
            Motif::ReservataireInconnu => Some("reservataire"),
            _ => None,
        }
    }
}

/// Where a row comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    pub feuille: Option<String>,
    pub ligne: u32,
}

/// A row set aside, with its reason and the raw value that caused it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rejet {
    pub bailleur: String,
    pub source: Source,
    pub motif: Motif,
    pub valeur: String,
    /// The row's cells, tab-separated, so the dossier keeps the raw values.
    pub brut: String,
}

/// A dwelling read from a row, with the raw labels it was normalised from.
#[derive(Debug, Clone, PartialEq)]
pub struct LigneLogement {
    pub logement: Logement,
    pub source: Source,
    pub reservataire_brut: String,
    pub typologie_brut: String,
    pub financement_brut: String,
    pub commune_brut: String,
    pub brut: String,
    /// The réservataire was a collectivité without a name, presumed to be the row's own.
    pub presume: bool,
}

/// What one data row turned into.
#[derive(Debug, Clone, PartialEq)]
pub enum RowOutcome {
    Logement(Box<LigneLogement>),
    Rejet(Rejet),
}

/// The normalisers in force for one import: territory, dossier mappings, caches.
pub struct Context {
    pub territoire: Territoire,
    pub correspondance: Correspondance,
    reservataires: ReservataireResolver,
    /// User mappings for communes (label key → INSEE) and typologies (label key → label).
    commune_map: HashMap<String, String>,
    typologie_map: HashMap<String, Typologie>,
    cache_reservataire: FastMap<String, Option<Reservataire>>,
    cache_commune: FastMap<String, Result<(String, String), CommuneError>>,
    cache_typologie: FastMap<String, Option<Typologie>>,
    cache_financement: FastMap<String, Option<Financement>>,
    cache_qpv: FastMap<String, Option<bool>>,
    cache_ic: FastMap<String, Option<IndividuelCollectif>>,
}

/// User-confirmed label mappings of a dossier, per field (`reservataire`, `commune`,
/// `typologie`), label key → canonical value.
#[derive(Debug, Clone, Default)]
pub struct Mappings {
    pub reservataire: HashMap<String, String>,
    pub commune: HashMap<String, String>,
    pub typologie: HashMap<String, String>,
}

impl Context {
    pub fn new(territoire: Territoire, correspondance: Correspondance, mappings: Mappings) -> Self {
        Self {
            reservataires: ReservataireResolver::new(territoire.clone(), mappings.reservataire),
            territoire,
            correspondance,
            commune_map: mappings.commune,
            typologie_map: mappings
                .typologie
                .into_iter()
                .filter_map(|(k, v)| Some((k, Typologie::from_label(&v)?)))
                .collect(),
            cache_reservataire: FastMap::default(),
            cache_commune: FastMap::default(),
            cache_typologie: FastMap::default(),
            cache_financement: FastMap::default(),
            cache_qpv: FastMap::default(),
            cache_ic: FastMap::default(),
        }
    }

    /// Whether the user mapped this réservataire label in the dossier.
    pub fn mapped(&self, raw: &str) -> bool {
        self.reservataires.mapped(raw)
    }

    pub fn reservataire(&mut self, raw: &str) -> Option<Reservataire> {
        if let Some(r) = self.cache_reservataire.get(raw) {
            return r.clone();
        }
        let r = self.reservataires.resolve(raw);
        self.cache_reservataire.insert(raw.to_string(), r.clone());
        r
    }

    /// (INSEE, EPCI SIREN) of a commune written as a code, `code - nom` or a name.
    pub fn commune(&mut self, raw: &str) -> Result<(String, String), CommuneError> {
        if let Some(r) = self.cache_commune.get(raw) {
            return r.clone();
        }
        let r = match self.commune_map.get(&key(raw)) {
            Some(insee) => reference()
                .commune(insee)
                .ok_or(CommuneError::Inconnue)
                .and_then(|c| if self.territoire.contains(c) { Ok(c) } else { Err(CommuneError::HorsTerritoire) }),
            None => reference().resolve_commune(raw, &self.territoire),
        }
        .map(|c| (c.insee.to_string(), c.epci.unwrap_or_default().to_string()));
        self.cache_commune.insert(raw.to_string(), r.clone());
        r
    }

    pub fn commune_by_postal_code(&mut self, cp: &str) -> Result<(String, String), CommuneError> {
        match reference().commune_by_postal_code(cp, &Territoire::Tout) {
            Some(c) if self.territoire.contains(c) => Ok((c.insee.to_string(), c.epci.unwrap_or_default().to_string())),
            Some(_) => Err(CommuneError::HorsTerritoire),
            None => Err(CommuneError::Inconnue),
        }
    }

    pub fn typologie(&mut self, raw: &str) -> Option<Typologie> {
        let map = &self.typologie_map;
        cached(&mut self.cache_typologie, raw, |r| map.get(&key(r)).copied().or_else(|| normalize::typologie(r)))
    }

    pub fn financement(&mut self, raw: &str) -> Option<Financement> {
        let c = &self.correspondance;
        cached(&mut self.cache_financement, raw, |r| c.financement(r))
    }

    pub fn qpv(&mut self, raw: &str) -> Option<bool> {
        cached(&mut self.cache_qpv, raw, normalize::qpv)
    }

    pub fn individuel_collectif(&mut self, raw: &str) -> Option<IndividuelCollectif> {
        cached(&mut self.cache_ic, raw, normalize::individuel_collectif)
    }
}

/// Labels repeat thousands of times in a file: each distinct one is normalised once.
fn cached<T: Clone>(cache: &mut FastMap<String, T>, raw: &str, f: impl FnOnce(&str) -> T) -> T {
    if let Some(v) = cache.get(raw) {
        return v.clone();
    }
    let v = f(raw);
    cache.insert(raw.to_string(), v.clone());
    v
}

/// A cell as trimmed text: numbers without a spurious `.0`, error cells and `#N/A` empty.
pub fn cell_text(d: &Data) -> Cow<'_, str> {
    match d {
        Data::String(s) => {
            let c = clean(s);
            if is_error_marker(c) { Cow::Borrowed("") } else { Cow::Borrowed(c) }
        }
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                Cow::Owned(format!("{}", *f as i64))
            } else {
                Cow::Owned(f.to_string())
            }
        }
        Data::Int(i) => Cow::Owned(i.to_string()),
        Data::Bool(b) => Cow::Borrowed(if *b { "VRAI" } else { "FAUX" }),
        Data::DateTime(dt) => match excel_date(dt) {
            Some(d) if dt.is_datetime() => Cow::Owned(d.to_string()),
            _ => Cow::Owned(dt.as_f64().to_string()),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cow::Borrowed(s.as_str()),
        Data::Error(_) | Data::Empty => Cow::Borrowed(""),
    }
}

pub fn is_blank(d: &Data) -> bool {
    match d {
        Data::Empty | Data::Error(_) => true,
        Data::String(s) => {
            let c = clean(s);
            c.is_empty() || is_error_marker(c)
        }
        _ => false,
    }
}

/// The row's cells, tab-separated, as kept in the dossier.
pub fn raw_row(row: &[Data]) -> String {
    // Trailing empty cells are not part of the row (readers differ in how many they give).
    let width = row.iter().rposition(|d| !matches!(d, Data::Empty)).map_or(0, |i| i + 1);
    let row = &row[..width];
    let mut out = String::with_capacity(row.len() * 12);
    for (i, d) in row.iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        out.extend(cell_text(d).chars().map(|c| if matches!(c, '\t' | '\n' | '\r') { ' ' } else { c }));
    }
    out
}

/// The raw text of a cell for `valeur` in rejets: error cells show as `#N/A`.
pub fn raw_text(d: Option<&Data>) -> String {
    match d {
        Some(Data::Error(e)) => format!("#{e:?}").replace("#NA", "#N/A"),
        Some(Data::String(s)) => clean(s).to_string(),
        Some(other) => cell_text(other).into_owned(),
        None => String::new(),
    }
}

/// A date cell read by calamine, in the workbook's own date system (1900, or 1904 for
/// workbooks made on a Mac: the same serial is four years and a day apart).
pub fn excel_date(dt: &calamine::ExcelDateTime) -> Option<Date> {
    let (y, m, d, ..) = dt.to_ymd_hms_milli();
    Date::new(y as i32, m, d)
}

pub fn cell_date(d: &Data) -> Option<Date> {
    match d {
        Data::DateTime(dt) => excel_date(dt),
        Data::Float(f) if (1800.0..=2200.0).contains(f) && f.fract() == 0.0 => Date::new(*f as i32, 12, 31),
        Data::Float(f) if (1000.0..100_000.0).contains(f) => Date::from_excel_serial(*f),
        Data::Int(i) if (1800..=2200).contains(i) => Date::new(*i as i32, 12, 31),
        Data::Int(i) if (1000..100_000).contains(i) => Date::from_excel_serial(*i as f64),
        Data::DateTimeIso(s) | Data::String(s) => normalize::date_text(s),
        _ => None,
    }
}

/// How the data sheets of a file were read: recorded with the import.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct SheetPlan {
    pub feuille: Option<String>,
    pub header: HeaderMatch,
    /// The sheet's name as the commune of every row, when it has no commune column.
    pub commune_feuille: Option<String>,
    /// The sheet's name as the réservataire of every row, when it has no réservataire column.
    #[serde(default)]
    pub reservataire_feuille: Option<String>,
}

/// Sheets that are never data: synthesis, pivot tables, notices.
fn is_non_data_sheet(name: &str) -> bool {
    let k = key(name);
    [
        "synthese",
        "notice",
        "tcd",
        "pivot",
        "sommaire",
        "lisez moi",
        "legende",
        "parametre",
        "liste",
        "aide",
        "mode d emploi",
        "graphique",
        "recap",
        "tableau croise",
        "readme",
        "read me",
        "instructions",
        "definitions",
    ]
    .iter()
    .any(|p| k.starts_with(p))
}

/// Chooses the data sheets of a workbook and their headers. Hidden sheets and sheets named
/// like a synthesis or a notice are skipped; a sheet with no commune column must be named
/// after a commune.
pub fn plan_sheets(sheets: &[SheetData]) -> Vec<SheetPlan> {
    let mut plans = Vec::new();
    for s in sheets {
        if s.hidden || s.name.as_deref().is_some_and(is_non_data_sheet) {
            continue;
        }
        // A sheet per réservataire: its name is the réservataire of every row.
        let (h, reservataire_feuille) = match detect_header(&s.range) {
            Some(h) => (Some(h), None),
            None => match &s.name {
                Some(n) if names_a_reservataire(n) => (header::detect_header_with(&s.range, false), Some(n.clone())),
                _ => (None, None),
            },
        };
        let Some(mut h) = h else { continue };
        refine_by_content(&mut h, &s.range);
        let commune_feuille = if h.has_commune() {
            None
        } else {
            match &s.name {
                Some(n) if !reference().communes_by_name(n).is_empty() => Some(n.clone()),
                _ => continue,
            }
        };
        plans.push(SheetPlan { feuille: s.name.clone(), header: h, commune_feuille, reservataire_feuille });
    }
    plans
}

/// Whether a sheet name is a réservataire (« Préfecture », « Action Logement », « Ville
/// d'Antibes », « Conseil départemental »...), whatever the territory.
fn names_a_reservataire(name: &str) -> bool {
    let k = key(name);
    // A bare commune name is a sheet per commune, not per réservataire.
    if !reference().communes_by_name(name).is_empty() {
        return false;
    }
    ReservataireResolver::new(Territoire::Tout, HashMap::new()).resolve(name).is_some()
        || ["conseil departemental", "conseil general", "departement", "conseil regional", "region"]
            .iter()
            .any(|p| k.starts_with(p))
}

/// Headers such as « Type de logement » say little: when the individuel/collectif or the
/// typology column is missing, a column whose values are all of that kind is taken for it.
fn refine_by_content(h: &mut HeaderMatch, range: &calamine::Range<Data>) {
    type Accepts = fn(&str) -> bool;
    let checks: [(Field, Accepts); 2] = [
        (Field::IndividuelCollectif, |v| normalize::individuel_collectif(v).is_some()),
        (Field::Typologie, |v| normalize::typologie(v).is_some()),
    ];
    for (field, accepts) in checks {
        if h.column(field).is_some() {
            continue;
        }
        let candidates: Vec<usize> = (0..range.width())
            .filter(|c| match h.columns.iter().find(|(_, col)| col == c) {
                None => true,
                Some((f, _)) => *f == Field::Nature,
            })
            .collect();
        for c in candidates {
            let values: Vec<String> = range
                .rows()
                .skip(h.data_start())
                .filter_map(|r| r.get(c).map(|d| cell_text(d).into_owned()))
                .filter(|v| !v.is_empty())
                .take(200)
                .collect();
            if values.len() >= 3 && values.iter().filter(|v| accepts(v)).count() * 10 >= values.len() * 9 {
                h.columns.retain(|(_, col)| *col != c);
                h.columns.push((field, c));
                h.columns.sort_by_key(|(_, col)| *col);
                break;
            }
        }
    }
}

/// Whether a row is a total/subtotal or a count line rather than a dwelling.
pub fn is_total_row(row: &[Data]) -> bool {
    row.iter().filter(|d| !matches!(d, Data::Empty)).take(3).any(|d| {
        // Only text starting like « total », « sous-total », « nombre », « nb » can be one.
        let Data::String(s) = d else { return false };
        if !s.chars().find(|c| c.is_alphanumeric()).is_some_and(|c| matches!(c, 't' | 'T' | 's' | 'S' | 'n' | 'N')) {
            return false;
        }
        let k = key(&cell_text(d));
        k == "total"
            || k.starts_with("total ")
            || k.starts_with("sous total")
            || k.starts_with("nombre de lignes")
            || k.starts_with("nombre de logements")
            || k.starts_with("nb de lignes")
            || k.starts_with("nb lignes")
            || k.starts_with("totaux")
    })
}

/// Reads the data rows of one planned sheet and normalises each.
pub fn read_rows<R: AsRef<[Data]>>(
    rows: impl Iterator<Item = (u32, R)>,
    plan: &SheetPlan,
    bailleur_defaut: &str,
    ctx: &mut Context,
    mut sink: impl FnMut(RowOutcome) -> bool,
) -> usize {
    let reader = RowReader::new(plan, bailleur_defaut);
    let mut read = 0;
    for (ligne, row) in rows {
        if let Some(o) = reader.read(ligne, row.as_ref(), ctx) {
            read += 1;
            if !sink(o) {
                break;
            }
        }
    }
    read
}

/// Normalises the rows of one planned sheet, one at a time.
pub struct RowReader<'a> {
    plan: &'a SheetPlan,
    bailleur_defaut: &'a str,
    bailleur_defaut_key: String,
    mapped: Vec<usize>,
    ref_label: Option<String>,
}

impl<'a> RowReader<'a> {
    pub fn new(plan: &'a SheetPlan, bailleur_defaut: &'a str) -> Self {
        let h = &plan.header;
        let ref_label = h
            .column(Field::Reference)
            .and_then(|c| h.labels.get(c))
            .map(|l| clean(l).to_string())
            .filter(|l| !l.is_empty());
        RowReader {
            plan,
            bailleur_defaut,
            bailleur_defaut_key: key(bailleur_defaut),
            mapped: h.columns.iter().map(|(_, c)| *c).collect(),
            ref_label,
        }
    }

    /// The outcome of one row, or `None` for a row that is not a dwelling (blank, total,
    /// repeated header).
    pub fn read(&self, ligne: u32, row: &[Data], ctx: &mut Context) -> Option<RowOutcome> {
        let plan = self.plan;
        let h = &plan.header;
        let col = |f: Field| h.column(f);
        let bailleur_defaut = self.bailleur_defaut;
        let get = |f: Field| col(f).and_then(|c| row.get(c));
        let text = |f: Field| get(f).map(cell_text).unwrap_or(Cow::Borrowed(""));
        let filled = self.mapped.iter().filter(|&&c| row.get(c).is_some_and(|d| !is_blank(d))).count();
        if filled < 2 || is_total_row(row) {
            return None;
        }
        if let Some(label) = &self.ref_label
            && text(Field::Reference).eq_ignore_ascii_case(label)
        {
            return None; // the header repeated
        }
        let source = Source { feuille: plan.feuille.clone(), ligne };
        let brut = raw_row(row);
        let bailleur = match text(Field::Bailleur) {
            b if !b.is_empty() && b != bailleur_defaut && key(&b) != self.bailleur_defaut_key => b.into_owned(),
            _ => bailleur_defaut.to_string(),
        };
        let rejet = |motif: Motif, valeur: String| {
            RowOutcome::Rejet(Rejet {
                bailleur: bailleur.clone(),
                source: source.clone(),
                motif,
                valeur,
                brut: brut.clone(),
            })
        };

        let reference = text(Field::Reference).into_owned();
        if reference.is_empty() {
            return Some(rejet(Motif::ReferenceManquante, raw_text(get(Field::Reference))));
        }

        // Commune: the code if given, else the name, else the postal code, else the sheet name.
        let code = text(Field::CodeInsee);
        let nom = text(Field::Commune);
        let cp = text(Field::CodePostal);
        let (commune_brut, resolved) = if !code.is_empty() {
            (code.to_string(), ctx.commune(&code))
        } else if !nom.is_empty() {
            (nom.to_string(), ctx.commune(&nom))
        } else if !cp.is_empty() {
            (cp.to_string(), ctx.commune_by_postal_code(&cp))
        } else if let Some(n) = &plan.commune_feuille {
            (n.clone(), ctx.commune(n))
        } else {
            let raw = [Field::CodeInsee, Field::Commune, Field::CodePostal]
                .into_iter()
                .map(|f| raw_text(get(f)))
                .find(|s| !s.is_empty())
                .unwrap_or_default();
            (raw, Err(CommuneError::Inconnue))
        };
        let (commune, epci) = match resolved {
            Ok(c) => c,
            Err(e) => {
                let motif = if e == CommuneError::HorsTerritoire {
                    Motif::CommuneHorsTerritoire
                } else {
                    Motif::CommuneInconnue
                };
                let valeur = if commune_brut.is_empty() {
                    [Field::CodeInsee, Field::Commune]
                        .into_iter()
                        .map(|f| raw_text(get(f)))
                        .find(|s| !s.is_empty())
                        .unwrap_or_default()
                } else {
                    commune_brut
                };
                return Some(rejet(motif, valeur));
            }
        };

        let typologie_brut = text(Field::Typologie).into_owned();
        let mut financement_brut = text(Field::Financement).into_owned();
        let typologie = match ctx.typologie(&typologie_brut) {
            Some(t) => t,
            None => match normalize::typologie_et_reste(&typologie_brut) {
                Some((t, rest)) if col(Field::Financement).is_none() => {
                    financement_brut = rest;
                    t
                }
                _ => {
                    let v = if typologie_brut.is_empty() { raw_text(get(Field::Typologie)) } else { typologie_brut };
                    return Some(rejet(Motif::TypologieInconnue, v));
                }
            },
        };
        let Some(financement) = ctx.financement(&financement_brut) else {
            return Some(rejet(Motif::FinancementInconnu, financement_brut));
        };

        let reservataire_brut = match (col(Field::Reservataire), &plan.reservataire_feuille) {
            (None, Some(n)) => n.clone(),
            _ => text(Field::Reservataire).into_owned(),
        };
        // « Ville », « Métropole », « CD »: the collectivité where the dwelling is (presumed).
        let sans_nom = normalize::collectivite_sans_nom(&reservataire_brut).filter(|_| !ctx.mapped(&reservataire_brut));
        let presumed = sans_nom.and_then(|k| match k {
            normalize::SansNom::Commune => Some(Reservataire::new(format!("commune:{commune}"))),
            normalize::SansNom::Epci => (!epci.is_empty()).then(|| Reservataire::new(format!("epci:{epci}"))),
            normalize::SansNom::Departement => crate::reference::reference()
                .commune(&commune)
                .map(|c| Reservataire::new(format!("departement:{}", c.departement))),
        });
        let presume = presumed.is_some();
        let Some(reservataire) = presumed.or_else(|| ctx.reservataire(&reservataire_brut)) else {
            let v = if reservataire_brut.is_empty() { raw_text(get(Field::Reservataire)) } else { reservataire_brut };
            return Some(rejet(Motif::ReservataireInconnu, v));
        };

        let logement = Logement {
            bailleur: bailleur.clone(),
            reference,
            commune,
            epci,
            reservataire,
            financement,
            typologie,
            qpv: ctx.qpv(&text(Field::Qpv)).unwrap_or(false),
            individuel_collectif: ctx
                .individuel_collectif(&text(Field::IndividuelCollectif))
                .unwrap_or(IndividuelCollectif::Collectif),
            date_fin_convention: get(Field::DateFinConvention).and_then(cell_date),
            annee_construction: get(Field::AnneeConstruction).and_then(|d| match d {
                Data::DateTime(_) => cell_date(d).map(|x| x.year),
                _ => normalize::annee(&cell_text(d)),
            }),
            nature: Some(text(Field::Nature).into_owned()).filter(|s| !s.is_empty()),
        };
        Some(RowOutcome::Logement(Box::new(LigneLogement {
            logement,
            source,
            reservataire_brut,
            typologie_brut: text(Field::Typologie).into_owned(),
            financement_brut,
            commune_brut,
            brut,
            presume,
        })))
    }
}

/// A bailleur name from a file name: `logis_des_oliviers_etat_des_lieux.xlsx` → `Logis des Oliviers`.
pub fn bailleur_from_file_name(name: &str) -> Option<String> {
    let stem = std::path::Path::new(name).file_stem()?.to_string_lossy().to_string();
    const GENERIC: &[&str] = &[
        "edl",
        "etat",
        "etats",
        "des",
        "lieux",
        "reservation",
        "reservations",
        "contingent",
        "contingents",
        "export",
        "extraction",
        "fichier",
        "donnees",
        "data",
        "liste",
        "logements",
        "logement",
        "patrimoine",
        "final",
        "def",
        "definitif",
        "copie",
        "de",
        "du",
        "la",
        "le",
        "les",
        "au",
        "v1",
        "v2",
        "v3",
        "version",
        "maj",
        "xlsx",
        "csv",
        "et",
        "d",
        "l",
        "parc",
    ];
    let words: Vec<String> = stem.split(['_', '-', ' ', '.']).filter(|w| !w.is_empty()).map(str::to_string).collect();
    let is_generic = |w: &str| GENERIC.contains(&key(w).as_str()) || w.chars().all(|c| c.is_ascii_digit());
    let start = words.iter().position(|w| !is_generic(w))?;
    let end = words.iter().rposition(|w| !is_generic(w))? + 1;
    let small = ["de", "des", "du", "la", "le", "les", "et", "d", "l", "en", "sur"];
    let out: Vec<String> = words[start..end]
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let lower = w.to_lowercase();
            if i > 0 && small.contains(&lower.as_str()) {
                lower
            } else if w.chars().all(|c| c.is_uppercase() || c.is_ascii_digit()) && w.len() <= 4 {
                w.clone()
            } else {
                let mut c = lower.chars();
                c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
            }
        })
        .collect();
    Some(out.join(" ")).filter(|s| !s.is_empty())
}

/// De-duplication of one import: exact duplicates are one dwelling; the same bailleur and
/// reference with other values is a conflict, counted once under the newest row.
/// Each kept dwelling costs a few dozen bytes and no allocation of its own: its key lives in
/// one shared arena, its réservataire and commune are interned, the rest is a fingerprint.
#[derive(Default)]
pub struct Dedup {
    /// Hash of (bailleur, reference) → first entry with that hash; entries with the same hash
    /// are chained, and every match is confirmed on the full key, so no hash collision can
    /// merge two dwellings.
    index: FastMap<u64, u32>,
    entries: Vec<Seen>,
    /// `bailleur \0 reference` of every entry, end to end.
    keys: String,
    /// Interned réservataires and communes.
    names: Vec<Box<str>>,
    name_ids: FastMap<Box<str>, u32>,
    /// The entry found (or not) by the last `check`, for the `kept` that follows it.
    pending: Option<(u64, Option<u32>)>,
    /// The file being imported (entries remember the file their kept row came from).
    file: u32,
    pub conflits: Vec<Conflit>,
    conflit_index: FastMap<u32, usize>,
    pub doublons: usize,
}

struct Seen {
    key_start: usize,
    key_len: u32,
    /// Next entry with the same key hash, or `u32::MAX`.
    next: u32,
    /// Hash of every normalised field: equal fingerprints are exact duplicates.
    fingerprint: u64,
    reservataire: u32,
    commune: u32,
    typologie: Typologie,
    financement: Financement,
    date_fin_convention: Option<Date>,
    /// Opaque id of where the kept row lives (the store's row id).
    slot: i64,
    /// The file the kept row came from.
    file: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflit {
    pub bailleur: String,
    pub reference: String,
    pub motif: String,
    pub valeurs: Vec<String>,
}

/// What to do with a dwelling row after de-duplication.
#[derive(Debug, PartialEq, Eq)]
pub enum DedupAction {
    Insert,
    /// An exact duplicate: nothing to write.
    Skip,
    /// Replace the row kept in `slot` by this newer one.
    Replace(i64),
}

fn key_hash(l: &Logement) -> u64 {
    use std::hash::Hasher;
    let mut h = crate::text::Fnv::default();
    h.write(l.bailleur.as_bytes());
    h.write(&[0]);
    h.write(l.reference.as_bytes());
    h.finish()
}

fn fingerprint(l: &Logement) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (&l.bailleur, &l.reference, &l.commune, &l.epci, &l.reservataire.0).hash(&mut h);
    (l.financement, l.typologie, l.qpv, l.individuel_collectif, l.date_fin_convention, l.annee_construction, &l.nature)
        .hash(&mut h);
    h.finish()
}

impl Dedup {
    /// Starts the next file of the invocation, with room for `n` more dwellings.
    pub fn begin_file(&mut self, n: usize) {
        self.file += 1;
        // `n` comes from what the file declares: a hostile file may claim anything, so the
        // room made in advance is bounded (beyond, the tables grow as rows come).
        self.reserve(n.min(2_000_000));
    }

    /// Extinct rights among the dwellings kept from the current file.
    pub fn echus(&self, date_reference: Date) -> usize {
        self.entries
            .iter()
            .filter(|e| {
                e.file == self.file
                    && e.date_fin_convention.is_some_and(|d| d < date_reference)
                    && *self.names[e.reservataire as usize] != *Reservataire::NON_RESERVE
            })
            .count()
    }

    /// Makes room for `n` more dwellings.
    fn reserve(&mut self, n: usize) {
        self.index.reserve(n);
        self.entries.reserve(n);
        self.keys.reserve(n * 24);
    }

    fn key_of(&self, e: &Seen) -> &str {
        &self.keys[e.key_start..e.key_start + e.key_len as usize]
    }

    fn same_key(&self, e: &Seen, l: &Logement) -> bool {
        let k = self.key_of(e).as_bytes();
        let (b, r) = (l.bailleur.as_bytes(), l.reference.as_bytes());
        k.len() == b.len() + 1 + r.len() && k.starts_with(b) && k[b.len()] == 0 && k.ends_with(r)
    }

    fn find(&self, hash: u64, l: &Logement) -> Option<u32> {
        let mut i = *self.index.get(&hash)?;
        while i != u32::MAX {
            let e = &self.entries[i as usize];
            if self.same_key(e, l) {
                return Some(i);
            }
            i = e.next;
        }
        None
    }

    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.name_ids.get(s) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(s.into());
        self.name_ids.insert(s.into(), i);
        i
    }

    fn describe_seen(&self, e: &Seen) -> String {
        describe_parts(&self.names[e.commune as usize], e.typologie, e.financement, e.date_fin_convention)
    }

    pub fn check(&mut self, l: &Logement) -> DedupAction {
        self.check_hashed(key_hash(l), l)
    }

    fn check_hashed(&mut self, hash: u64, l: &Logement) -> DedupAction {
        let found = self.find(hash, l);
        self.pending = Some((hash, found));
        let Some(i) = found else { return DedupAction::Insert };
        let prev = &self.entries[i as usize];
        if prev.fingerprint == fingerprint(l) {
            self.doublons += 1;
            return DedupAction::Skip;
        }
        let slot = prev.slot;
        let prev_reservataire = &self.names[prev.reservataire as usize];
        let (motif, a, b) = if **prev_reservataire != *l.reservataire.0 {
            ("reservataires_differents", prev_reservataire.to_string(), l.reservataire.0.clone())
        } else {
            ("valeurs_differentes", self.describe_seen(prev), describe(l))
        };
        match self.conflit_index.get(&i) {
            Some(&c) => {
                let c = &mut self.conflits[c];
                if !c.valeurs.contains(&b) {
                    c.valeurs.push(b);
                }
            }
            None => {
                self.conflit_index.insert(i, self.conflits.len());
                self.conflits.push(Conflit {
                    bailleur: l.bailleur.clone(),
                    reference: l.reference.clone(),
                    motif: motif.into(),
                    valeurs: vec![a, b],
                });
            }
        }
        DedupAction::Replace(slot)
    }

    /// Records where the row kept for this dwelling lives (after `check` said to insert or
    /// replace it).
    pub fn kept(&mut self, l: &Logement, slot: i64) {
        self.kept_hashed(key_hash(l), l, slot)
    }

    fn kept_hashed(&mut self, hash: u64, l: &Logement, slot: i64) {
        let found = match self.pending.take() {
            Some((h, found)) if h == hash => found,
            _ => self.find(hash, l),
        };
        let reservataire = self.intern(&l.reservataire.0);
        let commune = self.intern(&l.commune);
        let (fingerprint, typologie, financement, date_fin_convention) =
            (fingerprint(l), l.typologie, l.financement, l.date_fin_convention);
        if let Some(i) = found {
            let e = &mut self.entries[i as usize];
            (e.fingerprint, e.reservataire, e.commune, e.slot, e.file) =
                (fingerprint, reservataire, commune, slot, self.file);
            (e.typologie, e.financement, e.date_fin_convention) = (typologie, financement, date_fin_convention);
            return;
        }
        let i = self.entries.len() as u32;
        let key_start = self.keys.len();
        self.keys.push_str(&l.bailleur);
        self.keys.push('\0');
        self.keys.push_str(&l.reference);
        let next = self.index.insert(hash, i).unwrap_or(u32::MAX);
        self.entries.push(Seen {
            key_start,
            key_len: (self.keys.len() - key_start) as u32,
            next,
            fingerprint,
            reservataire,
            commune,
            typologie,
            financement,
            date_fin_convention,
            slot,
            file: self.file,
        });
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn describe(l: &Logement) -> String {
    describe_parts(&l.commune, l.typologie, l.financement, l.date_fin_convention)
}

fn describe_parts(commune: &str, typologie: Typologie, financement: Financement, date: Option<Date>) -> String {
    format!("{} {} {} {}", commune, typologie.label(), financement, date.map(|d| d.to_string()).unwrap_or_default())
        .trim()
        .to_string()
}

/// Runs one file's bytes through the whole reading pipeline, as the fuzz target and the
/// crash regression tests do: errors are expected, panics are bugs.
pub fn fuzz_one_file(data: &[u8]) {
    // The path of large .xlsx sheets: first rows, then the rest streamed in recycled batches.
    if let Ok(sheets) = read::read_sheets_shared(std::sync::Arc::new(data.to_vec())) {
        for s in &sheets {
            if let Some(rest) = &s.rest {
                let from = s.range.end().map(|(r, _)| r + 1).unwrap_or(0);
                // Every batch comes back to be refilled, as in an import.
                let spare = std::cell::RefCell::new(None::<read::RowBatch>);
                let name = s.name.as_deref().unwrap_or("");
                let _ = read::stream_rest(
                    &rest.workbook,
                    name,
                    from,
                    || spare.borrow_mut().take(),
                    |b| {
                        *spare.borrow_mut() = Some(b);
                        true
                    },
                );
            }
        }
    }
    let Ok(sheets) = read::read_sheets(data) else { return };
    let plans = plan_sheets(&sheets);
    let mut ctx = Context::new(Territoire::Tout, Correspondance::default(), Mappings::default());
    for plan in &plans {
        if let Some(sheet) = sheets.iter().find(|s| s.name == plan.feuille) {
            read_rows(sheet.data_rows(plan.header.data_start()), plan, "B", &mut ctx, |_| true);
        }
    }
}

/// Runs one text through every value normaliser.
pub fn fuzz_one_value(s: &str) {
    let _ = normalize::typologie(s);
    let _ = normalize::typologie_et_reste(s);
    let _ = normalize::qpv(s);
    let _ = normalize::individuel_collectif(s);
    let _ = normalize::date_text(s);
    let _ = normalize::annee(s);
    let _ = Correspondance::default().financement(s);
    let _ = crate::reference::reference().resolve_commune(s, &Territoire::Tout);
    let mut ctx = Context::new(Territoire::Epci("240600585".into()), Correspondance::default(), Mappings::default());
    let _ = ctx.reservataire(s);
    let _ = bailleur_from_file_name(s);
    let _ = crate::text::place_key(s);
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::Range;

    fn sheet(name: Option<&str>, rows: &[&[&str]]) -> SheetData {
        let w = rows.iter().map(|r| r.len()).max().unwrap();
        let mut r = Range::new((0, 0), (rows.len() as u32 - 1, w as u32 - 1));
        for (i, row) in rows.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    r.set_value((i as u32, j as u32), Data::String(v.to_string()));
                }
            }
        }
        SheetData { name: name.map(str::to_string), hidden: false, range: r, row_numbers: None, rest: None }
    }

    fn ctx() -> Context {
        Context::new(Territoire::Epci("240600585".into()), Correspondance::default(), Mappings::default())
    }

    fn run(s: &SheetData) -> Vec<RowOutcome> {
        let plans = plan_sheets(std::slice::from_ref(s));
        let mut out = vec![];
        let mut c = ctx();
        read_rows(s.data_rows(plans[0].header.data_start()), &plans[0], "B", &mut c, |o| {
            out.push(o);
            true
        });
        out
    }

    #[test]
    fn dates_in_the_1904_system_of_mac_workbooks() {
        use calamine::{ExcelDateTime, ExcelDateTimeType};
        let d1900 = Data::DateTime(ExcelDateTime::new(45292.0, ExcelDateTimeType::DateTime, false));
        let d1904 = Data::DateTime(ExcelDateTime::new(43830.0, ExcelDateTimeType::DateTime, true));
        assert_eq!(cell_date(&d1900), Date::new(2024, 1, 1));
        assert_eq!(cell_date(&d1904), Date::new(2024, 1, 1));
        assert_eq!(cell_text(&d1904), "2024-01-01");
    }

    fn motifs(out: &[RowOutcome]) -> Vec<(u32, Motif, String)> {
        out.iter()
            .filter_map(|o| match o {
                RowOutcome::Rejet(r) => Some((r.source.ligne, r.motif, r.valeur.clone())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn rows_become_dwellings_or_rejets_with_their_row_number() {
        let s = sheet(
            Some("Etat des lieux"),
            &[
                &[
                    "Référence",
                    "Code INSEE",
                    "Commune",
                    "Réservataire",
                    "Typologie",
                    "Financement",
                    "QPV",
                    "Date fin convention",
                ],
                &["A1", "06004", "Antibes", "Préfecture", "T3", "PLUS", "Oui", "31/12/2030"],
                &["", "06004", "Antibes", "Préfecture", "T3", "PLUS", "", ""],
                &["A3", "", "Valbone", "Préfecture", "T3", "PLUS", "", ""],
                &["A4", "", "Cannes", "Préfecture", "T3", "PLUS", "", ""],
                &["A5", "6004", "", "Préfecture", "NC", "PLUS", "", ""],
                &["A6", "6004", "", "Toto", "T2", "PLUS", "", ""],
                &["Total Antibes", "", "", "", "", "", "", ""],
                &["Total", "", "", "", "", "", "12", "3"],
                &["", "", "", "", "", "", "", ""],
                &["Source : extraction du 02/01/2024", "", "", "", "", "", "", ""],
            ],
        );
        let out = run(&s);
        assert_eq!(out.len(), 6);
        match &out[0] {
            RowOutcome::Logement(l) => {
                assert_eq!(l.logement.commune, "06004");
                assert_eq!(l.logement.epci, "240600585");
                assert_eq!(l.logement.reservataire.0, "etat");
                assert!(l.logement.qpv);
                assert_eq!(l.logement.date_fin_convention, Date::new(2030, 12, 31));
                assert_eq!(l.source.ligne, 2);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            motifs(&out),
            vec![
                (3, Motif::ReferenceManquante, "".into()),
                (4, Motif::CommuneInconnue, "Valbone".into()),
                (5, Motif::CommuneHorsTerritoire, "Cannes".into()),
                (6, Motif::TypologieInconnue, "NC".into()),
                (7, Motif::ReservataireInconnu, "Toto".into()),
            ]
        );
    }

    #[test]
    fn a_sheet_without_commune_column_takes_its_name() {
        let s = sheet(Some("Vallauris"), &[&["Réf", "Contingent", "Typo"], &["V1", "CASA", "T2"]]);
        let out = run(&s);
        match &out[0] {
            RowOutcome::Logement(l) => {
                assert_eq!(l.logement.commune, "06155");
                assert_eq!(l.logement.reservataire.0, "epci:240600585");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn synthesis_and_unnamed_sheets_are_not_planned() {
        let synth = sheet(Some("Synthèse"), &[&["Réf", "Contingent", "Commune"], &["V1", "CASA", "Antibes"]]);
        let no_commune = sheet(Some("Feuil1"), &[&["Réf", "Contingent", "Typo"], &["V1", "CASA", "T2"]]);
        assert!(plan_sheets(&[synth, no_commune]).is_empty());
    }

    #[test]
    fn duplicates_and_conflicts() {
        let l = Logement {
            bailleur: "B".into(),
            reference: "1".into(),
            commune: "06004".into(),
            epci: "240600585".into(),
            reservataire: Reservataire::new("etat"),
            financement: Financement::Plus,
            typologie: Typologie::Studio,
            qpv: false,
            individuel_collectif: IndividuelCollectif::Collectif,
            date_fin_convention: None,
            annee_construction: None,
            nature: None,
        };
        let mut d = Dedup::default();
        assert_eq!(d.check(&l), DedupAction::Insert);
        d.kept(&l, 7);
        assert_eq!(d.check(&l), DedupAction::Skip);
        let mut l2 = l.clone();
        l2.reservataire = Reservataire::non_reserve();
        assert_eq!(d.check(&l2), DedupAction::Replace(7));
        assert_eq!(d.conflits[0].valeurs, vec!["etat".to_string(), "non-reserve".to_string()]);
        assert_eq!(d.doublons, 1);
        // The newer row now stands for the dwelling: it is the exact duplicate from here on.
        d.kept(&l2, 8);
        assert_eq!(d.check(&l2), DedupAction::Skip);
        let mut l3 = l2.clone();
        l3.typologie = Typologie::Pieces { n: 3, bis: false };
        assert_eq!(d.check(&l3), DedupAction::Replace(8));
        assert_eq!(d.conflits.len(), 1, "one conflict per dwelling");
        assert_eq!(d.conflits[0].valeurs.len(), 3);
        assert_eq!(d.len(), 1);

        // Two different dwellings whose keys hash alike stay two dwellings.
        let mut e = Dedup::default();
        let mut other = l.clone();
        other.reference = "2".into();
        assert_eq!(e.check_hashed(42, &l), DedupAction::Insert);
        e.kept_hashed(42, &l, 1);
        assert_eq!(e.check_hashed(42, &other), DedupAction::Insert);
        e.kept_hashed(42, &other, 2);
        assert_eq!(e.check_hashed(42, &l), DedupAction::Skip);
        assert_eq!(e.check_hashed(42, &other), DedupAction::Skip);
        let mut other2 = other.clone();
        other2.qpv = true;
        assert_eq!(e.check_hashed(42, &other2), DedupAction::Replace(2));
        assert_eq!(e.conflits[0].reference, "2");
        assert_eq!(e.len(), 2);
    }

    #[test]
    fn bailleur_names_from_file_names() {
        assert_eq!(
            bailleur_from_file_name("logis_des_oliviers_etat_des_lieux.xlsx").as_deref(),
            Some("Logis des Oliviers")
        );
        assert_eq!(bailleur_from_file_name("habitat_azur_edl_2024.xlsx").as_deref(), Some("Habitat Azur"));
        assert_eq!(
            bailleur_from_file_name("toits_de_la_brague_contingents.csv").as_deref(),
            Some("Toits de la Brague")
        );
        assert_eq!(bailleur_from_file_name("etat_des_lieux_2024.xlsx"), None);
    }
}
