//! Step 3 — a row: the normalisers of one import (territory, correspondence, the user's
//! mappings, caches), the rows of a planned sheet read one at a time, each becoming a
//! dwelling or a rejet with its reason, totals and notes skipped.

use super::SheetPlan;
use super::cell::{FenetreDate, LectureDate, cell_date, cell_text, est_erreur, is_blank, lire_date, raw_row, raw_text};
use super::header::Field;
use super::normalize::{self, Correspondance, ReservataireResolver};
use super::read::est_formule_sans_valeur;
use crate::model::{Financement, IndividuelCollectif, Logement, Reservataire, Siecle, Typologie};
use crate::model::{LigneLogement, Mappings, Motif, Rejet, Source};
use crate::reference::{CommuneError, Territoire, reference};
use crate::text::{FastMap, clean, key};
use calamine::Data;
use std::borrow::Cow;
use std::collections::HashMap;

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
    /// The century of two-digit years decided by the user, per file column ([`cle_siecle`]).
    siecles: HashMap<String, Siecle>,
    cache_reservataire: FastMap<String, Option<Reservataire>>,
    cache_commune: FastMap<String, Result<(String, String), CommuneError>>,
    cache_typologie: FastMap<String, Option<Typologie>>,
    cache_financement: FastMap<String, Option<Financement>>,
    cache_qpv: FastMap<String, Option<bool>>,
    cache_ic: FastMap<String, Option<IndividuelCollectif>>,
    cache_sans_nom: FastMap<String, Option<normalize::SansNom>>,
}

impl Context {
    /// The normalisers of a dossier: its financement correspondence and label mappings.
    pub fn du_dossier(d: &crate::store::Dossier, territoire: Territoire) -> crate::store::Result<Context> {
        Ok(Context::new(territoire, Correspondance::from_pairs(d.financement_pairs()?), d.mappings()?))
    }

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
            siecles: mappings.siecle,
            cache_reservataire: FastMap::default(),
            cache_commune: FastMap::default(),
            cache_typologie: FastMap::default(),
            cache_financement: FastMap::default(),
            cache_qpv: FastMap::default(),
            cache_ic: FastMap::default(),
            cache_sans_nom: FastMap::default(),
        }
    }

    /// The century the user gave to the two-digit years of a file column, if any.
    pub fn siecle(&self, cle: &str) -> Option<Siecle> {
        self.siecles.get(cle).copied()
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

    /// When an INSEE code and a commune name designate two different communes, both said
    /// (« 06004 (Antibes) ≠ Cannes (06029) »); `None` when the name designates the code's
    /// commune (one of its homonyms, a spelling, a mapping of the dossier), or no commune at
    /// all (the code is then read alone), or when the code is no commune's.
    pub fn contradiction(&mut self, code: &str, nom: &str) -> Option<String> {
        let r = reference();
        let par_code = r.resolve_commune(code, &Territoire::Tout).ok()?;
        if r.communes_by_name(nom).iter().any(|c| c.insee == par_code.insee) {
            return None;
        }
        let par_nom = match self.commune(nom) {
            Ok((insee, _)) => Some(insee),
            Err(_) => r.resolve_commune(nom, &Territoire::Tout).ok().map(|c| c.insee.to_string()),
        };
        match par_nom {
            Some(insee) if insee == par_code.insee => None,
            Some(insee) => Some(format!("{} ({}) ≠ {nom} ({insee})", par_code.insee, par_code.nom)),
            // Homonyms, none of them the code's commune.
            None if !r.communes_by_name(nom).is_empty() => {
                Some(format!("{} ({}) ≠ {nom}", par_code.insee, par_code.nom))
            }
            None => None,
        }
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

    /// « Ville », « Métropole », « CD » — a collectivité without its name — unless the user
    /// mapped the label in the dossier.
    pub fn sans_nom(&mut self, raw: &str) -> Option<normalize::SansNom> {
        let r = &self.reservataires;
        cached(&mut self.cache_sans_nom, raw, |raw| normalize::collectivite_sans_nom(raw).filter(|_| !r.mapped(raw)))
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

/// Whether a row is a total/subtotal or a count line rather than a dwelling.
pub fn is_total_row(row: &[Data]) -> bool {
    row.iter().filter(|d| !matches!(d, Data::Empty)).take(3).any(|d| {
        // Only text starting like « total », « sous-total », « nombre », « nb » can be one.
        let Data::String(s) = d else { return false };
        // « T3 », « NC »: an ASCII text shorter than « total » is none of them.
        if s.is_ascii() && s.len() < 5 {
            return false;
        }
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
    /// The column of each field (`header.column`, looked up once instead of at every cell).
    colonnes: [Option<usize>; Field::ALL.len()],
    mapped: Vec<usize>,
    ref_label: Option<String>,
    /// The key of the end-of-convention column of this file, for the century of its
    /// two-digit years ([`cle_siecle`]); `None` when the file is not known.
    cle_siecle: Option<String>,
    /// The century decided for that column, looked up once (it does not change during a read).
    siecle: std::cell::OnceCell<Option<Siecle>>,
}

/// The longest text a cell may hold (Excel's limit): longer, the row is set aside
/// (`valeur_trop_longue`) — no export could write it back.
pub const LONGUEUR_MAX: usize = 32_767;

/// The key under which the century of a file column's two-digit years is kept: the file's
/// name and the column's header (one decision per file column, whatever the sheet).
pub fn cle_siecle(fichier: &str, colonne: &str) -> String {
    format!("{} | {}", key(fichier), key(colonne))
}

/// The first cell of a row longer than [`LONGUEUR_MAX`], shown short: its beginning and length.
pub fn valeur_trop_longue(row: &[Data]) -> Option<String> {
    row.iter().find_map(|d| match d {
        Data::String(s) if s.len() > LONGUEUR_MAX && s.chars().count() > LONGUEUR_MAX => {
            let debut: String = s.chars().take(40).collect();
            Some(format!("{debut}… ({} caractères)", s.chars().count()))
        }
        _ => None,
    })
}

impl<'a> RowReader<'a> {
    pub fn new(plan: &'a SheetPlan, bailleur_defaut: &'a str) -> Self {
        let h = &plan.header;
        let ref_label = h
            .column(Field::Reference)
            .and_then(|c| h.labels.get(c))
            .map(|l| clean(l).to_string())
            .filter(|l| !l.is_empty());
        let mut colonnes = [None; Field::ALL.len()];
        for f in Field::ALL {
            colonnes[f as usize] = h.column(f);
        }
        RowReader {
            plan,
            bailleur_defaut,
            bailleur_defaut_key: key(bailleur_defaut),
            colonnes,
            mapped: h.columns.iter().map(|(_, c)| *c).collect(),
            ref_label,
            cle_siecle: None,
            siecle: std::cell::OnceCell::new(),
        }
    }

    /// The rows come from this file (its name keys the century of its two-digit years).
    pub fn du_fichier(mut self, fichier: &str) -> Self {
        let h = &self.plan.header;
        self.cle_siecle = h
            .column(Field::DateFinConvention)
            .map(|c| cle_siecle(fichier, h.labels.get(c).map(String::as_str).unwrap_or("")));
        self
    }

    /// The outcome of one row, or `None` for a row that is not a dwelling (blank, total,
    /// repeated header).
    pub fn read(&self, ligne: u32, row: &[Data], ctx: &mut Context) -> Option<RowOutcome> {
        let plan = self.plan;
        let col = |f: Field| self.colonnes[f as usize];
        let bailleur_defaut = self.bailleur_defaut;
        let get = |f: Field| col(f).and_then(|c| row.get(c));
        let text = |f: Field| get(f).map(cell_text).unwrap_or(Cow::Borrowed(""));
        // A formula without a value is no blank cell: its row is set aside below, never skipped.
        let filled = self
            .mapped
            .iter()
            .filter(|&&c| row.get(c).is_some_and(|d| !is_blank(d) || est_formule_sans_valeur(d)))
            .count();
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

        if let Some(v) = valeur_trop_longue(row) {
            return Some(rejet(Motif::ValeurTropLongue, v));
        }
        // A cell read by this plan holding a formula never calculated, wherever the row is: its
        // value is unknown, never read as blank (hors QPV, no end of convention, « Autre »…). The
        // formula is the reason, said with what to do (the column's header as value).
        if let Some(&c) = self.mapped.iter().find(|&&c| row.get(c).is_some_and(est_formule_sans_valeur)) {
            let v = plan.header.labels.get(c).map(|l| clean(l).to_string()).unwrap_or_default();
            return Some(rejet(Motif::FormuleSansValeur, v));
        }
        let reference = text(Field::Reference).into_owned();
        if reference.is_empty() {
            return Some(rejet(Motif::ReferenceManquante, raw_text(get(Field::Reference))));
        }

        // Commune: the code if given, else the name, else the postal code, else the sheet name.
        let code = text(Field::CodeInsee);
        let nom = text(Field::Commune);
        let cp = text(Field::CodePostal);
        let (commune_brut, resolved) = if !code.is_empty() {
            if !nom.is_empty()
                && let Some(v) = ctx.contradiction(&code, &nom)
            {
                return Some(rejet(Motif::CommuneContradictoire, v));
            }
            match ctx.commune(&code) {
                // A code that is no commune's (a postal code in the INSEE column, « 06600 »):
                // the commune named beside it, else the postal code's only commune.
                Err(CommuneError::Inconnue) if !nom.is_empty() => (nom.to_string(), ctx.commune(&nom)),
                Err(CommuneError::Inconnue) => match ctx.commune_by_postal_code(&code) {
                    Err(CommuneError::Inconnue) if !cp.is_empty() => (cp.to_string(), ctx.commune_by_postal_code(&cp)),
                    r => (code.to_string(), r),
                },
                r => (code.to_string(), r),
            }
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
                // Outside the territory, the commune as the file names it (« Cannes », not
                // « 6029 »), as the user reads it.
                let valeur = if e == CommuneError::HorsTerritoire && !nom.is_empty() {
                    raw_text(get(Field::Commune))
                } else if commune_brut.is_empty() {
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
                // « T3 PLUS »: the financement with the typology, when no Financement column
                // says it on this row.
                Some((t, rest)) if col(Field::Financement).is_none() || financement_brut.is_empty() => {
                    financement_brut = rest;
                    t
                }
                _ => {
                    let v = if typologie_brut.is_empty() { raw_text(get(Field::Typologie)) } else { typologie_brut };
                    return Some(rejet(Motif::TypologieInconnue, v));
                }
            },
        };
        // « #N/A » is no blank cell: never « non renseigné » (Autre).
        if financement_brut.is_empty() && get(Field::Financement).is_some_and(est_erreur) {
            return Some(rejet(Motif::FinancementInconnu, raw_text(get(Field::Financement))));
        }
        let Some(financement) = ctx.financement(&financement_brut) else {
            return Some(rejet(Motif::FinancementInconnu, financement_brut));
        };

        let reservataire_brut = match (col(Field::Reservataire), &plan.reservataire_feuille) {
            (None, Some(n)) => n.clone(),
            _ => text(Field::Reservataire).into_owned(),
        };
        // « Ville », « Métropole », « CD »: the collectivité where the dwelling is (presumed).
        let sans_nom = ctx.sans_nom(&reservataire_brut);
        let presumed = sans_nom.and_then(|k| match k {
            normalize::SansNom::Commune => Some(Reservataire::commune(&commune)),
            normalize::SansNom::Epci => (!epci.is_empty()).then(|| Reservataire::epci(&epci)),
            normalize::SansNom::Departement => {
                crate::reference::reference().commune(&commune).map(|c| Reservataire::departement(c.departement))
            }
        });
        let presume = presumed.is_some();
        let Some(reservataire) = presumed.or_else(|| ctx.reservataire(&reservataire_brut)) else {
            let v = if reservataire_brut.is_empty() { raw_text(get(Field::Reservataire)) } else { reservataire_brut };
            return Some(rejet(Motif::ReservataireInconnu, v));
        };

        // The end of the convention: a date, never a guess (1900–2200; « 31/12/45 » waits for
        // the user to say which century the column means).
        let siecle = *self.siecle.get_or_init(|| self.cle_siecle.as_deref().and_then(|k| ctx.siecle(k)));
        // A CSV (a sheet without a name) has no date system: no serial in its text.
        let fenetre = FenetreDate { serie_en_texte: plan.feuille.is_some(), ..FenetreDate::fin_de_convention(siecle) };
        let date_fin_convention = match get(Field::DateFinConvention).map(|d| lire_date(d, &fenetre)) {
            None | Some(LectureDate::Vide) => None,
            Some(LectureDate::Date(x)) => Some(x),
            Some(LectureDate::Illisible(v)) => return Some(rejet(Motif::DateIllisible, v)),
            Some(LectureDate::Ambigue(v)) => return Some(rejet(Motif::DateAmbigue, v)),
        };

        // QPV and individuel/collectif: a blank cell (or no column) is hors QPV / collectif;
        // a value in no list is set aside with it, never read as the default.
        // An Excel error (« #N/A ») is neither: never hors QPV, never collectif.
        for (f, motif) in
            [(Field::Qpv, Motif::QpvInconnu), (Field::IndividuelCollectif, Motif::IndividuelCollectifInconnu)]
        {
            if get(f).is_some_and(est_erreur) {
                return Some(rejet(motif, raw_text(get(f))));
            }
        }
        let qpv = match ctx.qpv(&text(Field::Qpv)) {
            Some(q) => q,
            None => return Some(rejet(Motif::QpvInconnu, raw_text(get(Field::Qpv)))),
        };
        let individuel_collectif = match text(Field::IndividuelCollectif) {
            t if t.is_empty() => IndividuelCollectif::Collectif,
            t => match ctx.individuel_collectif(&t) {
                Some(x) => x,
                None => {
                    return Some(rejet(Motif::IndividuelCollectifInconnu, raw_text(get(Field::IndividuelCollectif))));
                }
            },
        };

        let logement = Logement {
            bailleur,
            reference,
            commune,
            epci,
            reservataire,
            financement,
            typologie,
            qpv,
            individuel_collectif,
            date_fin_convention,
            annee_construction: get(Field::AnneeConstruction).and_then(annee_de),
            nature: Some(text(Field::Nature).into_owned()).filter(|s| !s.is_empty()),
        };
        Some(RowOutcome::Logement(Box::new(LigneLogement {
            logement,
            source,
            reservataire_brut,
            typologie_brut,
            financement_brut,
            commune_brut,
            brut,
            presume,
        })))
    }
}

/// The year of construction a cell gives.
fn annee_de(d: &Data) -> Option<i32> {
    match d {
        Data::DateTime(_) => cell_date(d).map(|x| x.year),
        // A year written as a number: what `annee` reads from its text, without writing it.
        Data::Float(f) if f.fract() == 0.0 && (1800.0..=2200.0).contains(f) => Some(*f as i32),
        Data::Int(i) if (1800..=2200).contains(i) => Some(*i as i32),
        _ => normalize::annee(&cell_text(d)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A year read from a number cell is the year read from its text, as before.
    #[test]
    fn a_year_written_as_a_number() {
        assert_eq!(annee_de(&Data::Float(1970.0)), Some(1970));
        assert_eq!(annee_de(&Data::Int(2200)), Some(2200));
        assert_eq!(annee_de(&Data::Float(1799.0)), None);
        for x in [1799.0, 1800.0, 1970.0, 1970.5, 2200.0, 2201.0, 0.0, -1970.0, 45_292.0, 1e16] {
            assert_eq!(annee_de(&Data::Float(x)), normalize::annee(&cell_text(&Data::Float(x))), "{x}");
        }
        for i in [1799, 1800, 1970, 2200, 2201, 0, -1970, 45_292] {
            assert_eq!(annee_de(&Data::Int(i)), normalize::annee(&cell_text(&Data::Int(i))), "{i}");
        }
    }
    use crate::import::plan_sheets;
    use crate::import::read::SheetData;
    use crate::model::Date;

    fn sheet(name: Option<&str>, rows: &[&[&str]]) -> SheetData {
        crate::import::tests_util::sheet(name, rows)
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

    /// The dwellings read: (reference, commune).
    fn references_et_communes(out: &[RowOutcome]) -> Vec<(String, String)> {
        out.iter()
            .filter_map(|o| match o {
                RowOutcome::Logement(l) => Some((l.logement.reference.clone(), l.logement.commune.clone())),
                _ => None,
            })
            .collect()
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
                assert_eq!(l.logement.reservataire, "etat");
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
    fn an_unknown_qpv_or_individuel_collectif_is_set_aside_never_hors_qpv() {
        let s = sheet(
            Some("Etat des lieux"),
            &[
                &["Référence", "Commune", "Réservataire", "Typologie", "QPV", "Individuel/collectif"],
                &["A1", "Antibes", "Etat", "T3", "Q", "I"],
                &["A2", "Antibes", "Etat", "T3", "HQPV", ""],
                &["A3", "Antibes", "Etat", "T3", "?", "C"],
                &["A4", "Antibes", "Etat", "T3", "NC", "C"],
                &["A5", "Antibes", "Etat", "T3", "2", "C"],
                &["A6", "Antibes", "Etat", "T3", "-", "C"],
                &["A7", "Antibes", "Etat", "T3", "inconnu", "C"],
                &["A8", "Antibes", "Etat", "T3", "", "?"],
            ],
        );
        let out = run(&s);
        let logements: Vec<(String, bool, IndividuelCollectif)> = out
            .iter()
            .filter_map(|o| match o {
                RowOutcome::Logement(l) => {
                    Some((l.logement.reference.clone(), l.logement.qpv, l.logement.individuel_collectif))
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            logements,
            vec![
                ("A1".into(), true, IndividuelCollectif::Individuel),
                ("A2".into(), false, IndividuelCollectif::Collectif),
            ]
        );
        assert_eq!(
            motifs(&out),
            vec![
                (4, Motif::QpvInconnu, "?".into()),
                (5, Motif::QpvInconnu, "NC".into()),
                (6, Motif::QpvInconnu, "2".into()),
                (7, Motif::QpvInconnu, "-".into()),
                (8, Motif::QpvInconnu, "inconnu".into()),
                (9, Motif::IndividuelCollectifInconnu, "?".into()),
            ]
        );
    }

    #[test]
    fn an_insee_code_and_a_name_of_two_communes_set_the_row_aside_naming_both() {
        let s = sheet(
            Some("Etat des lieux"),
            &[
                &["Référence", "Code INSEE", "Commune", "Réservataire", "Typologie"],
                &["A1", "06004", "Antibes", "Etat", "T3"],
                &["A2", "06004", "ANTIBES", "Etat", "T3"],
                &["A3", "06004", "Cannes", "Etat", "T3"],
                &["A4", "06004", "Biot", "Etat", "T3"],
                &["A5", "06029", "Antibes", "Etat", "T3"],
                &["A6", "06029", "Cannes", "Etat", "T3"],
                &["A7", "06004", "Résidence Les Pins", "Etat", "T3"],
                &["A8", "06018", "", "Etat", "T3"],
            ],
        );
        let out = run(&s);
        let logements = references_et_communes(&out);
        // A name that is no commune leaves the code alone.
        assert_eq!(
            logements,
            vec![
                ("A1".into(), "06004".into()),
                ("A2".into(), "06004".into()),
                ("A7".into(), "06004".into()),
                ("A8".into(), "06018".into()),
            ]
        );
        assert_eq!(
            motifs(&out),
            vec![
                (4, Motif::CommuneContradictoire, "06004 (Antibes) ≠ Cannes (06029)".into()),
                (5, Motif::CommuneContradictoire, "06004 (Antibes) ≠ Biot (06018)".into()),
                (6, Motif::CommuneContradictoire, "06029 (Cannes) ≠ Antibes (06004)".into()),
                (7, Motif::CommuneHorsTerritoire, "Cannes".into()),
            ]
        );
    }

    #[test]
    fn a_code_that_is_no_commune_gives_way_to_the_name_or_the_postal_code() {
        let s = sheet(
            Some("Etat des lieux"),
            &[
                &["Référence", "Code INSEE", "Commune", "Réservataire", "Typologie"],
                // 06600 is no INSEE code: Antibes's postal code.
                &["P1", "06600", "Antibes", "Etat", "T3"],
                &["P2", "06600", "", "Etat", "T3"],
                &["P3", "06410", "Biot", "Etat", "T3"],
                &["P4", "06999", "", "Etat", "T3"],
                &["P5", "06999", "Atlantide", "Etat", "T3"],
                // Cannes's postal code: a commune outside the CASA.
                &["P6", "06400", "", "Etat", "T3"],
            ],
        );
        let out = run(&s);
        let logements = references_et_communes(&out);
        assert_eq!(
            logements,
            vec![("P1".into(), "06004".into()), ("P2".into(), "06004".into()), ("P3".into(), "06018".into())]
        );
        assert_eq!(
            motifs(&out),
            vec![
                (5, Motif::CommuneInconnue, "06999".into()),
                (6, Motif::CommuneInconnue, "Atlantide".into()),
                (7, Motif::CommuneHorsTerritoire, "06400".into()),
            ]
        );
    }

    #[test]
    fn an_excel_error_is_never_the_default_financement_qpv_or_collectif() {
        let s = sheet(
            Some("Etat des lieux"),
            &[
                &["Référence", "Commune", "Réservataire", "Typologie", "Financement", "QPV", "Ind/Coll"],
                &["E1", "Antibes", "Etat", "T3", "PLUS", "Oui", "C"],
                &["E2", "Antibes", "Etat", "T3", "#N/A", "Oui", "C"],
                &["E3", "Antibes", "Etat", "T3", "PLUS", "#N/A", "C"],
                &["E4", "Antibes", "Etat", "T3", "PLUS", "Oui", "#DIV/0!"],
                // A blank cell keeps its meaning: non renseigné (Autre), hors QPV, collectif.
                &["E5", "Antibes", "Etat", "T3", "", "", ""],
            ],
        );
        let out = run(&s);
        let logements: Vec<String> = references_et_communes(&out).into_iter().map(|(r, _)| r).collect();
        assert_eq!(logements, vec!["E1".to_string(), "E5".to_string()]);
        assert_eq!(
            motifs(&out),
            vec![
                (3, Motif::FinancementInconnu, "#N/A".into()),
                (4, Motif::QpvInconnu, "#N/A".into()),
                (5, Motif::IndividuelCollectifInconnu, "#DIV/0!".into()),
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
                assert_eq!(l.logement.reservataire, "epci:240600585");
            }
            other => panic!("{other:?}"),
        }
    }
}
