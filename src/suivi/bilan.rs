//! The bilan of a period (domaine.md, « Bilans »): for each réservataire its objective from
//! the saved flux, each step counted by its own date, the décompte of its convention (each
//! libération once), the gap, the taux de chute; the libérations outside the flux against the
//! soustraits forecast; the regulatory breakdown; the alerts.

use super::{Etape, HorsFlux, MiseADisposition, RejetRegistre, Result, SuiviError, rejets};
use crate::model::{Date, Portee, Regle, Reservataire};
use crate::store::Dossier;
use crate::text::FastMap;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The period of a bilan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Periode {
    pub annee: i32,
    pub semestre: Option<u8>,
    pub debut: Date,
    pub fin: Date,
}

/// A period that cannot be: said in the words of the period, whatever asked for it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodeError {
    #[error("année {0} hors du calendrier accepté")]
    Annee(i32),
    #[error("semestre {0} : 1 ou 2")]
    Semestre(u8),
    #[error("période du {} au {} : la fin précède le début", crate::format::date_fr(&.0.to_string()), crate::format::date_fr(&.1.to_string()))]
    FinAvantDebut(Date, Date),
    #[error("une période se donne par sa date de début et sa date de fin, les deux")]
    BorneSeule,
    #[error("une période est un semestre ou un intervalle de dates, pas les deux")]
    SemestreEtDates,
}

impl Periode {
    /// Year N, semester 1 (January–June) or 2 (July–December), or any range of dates.
    pub fn new(
        annee: i32,
        semestre: Option<u8>,
        du: Option<Date>,
        au: Option<Date>,
    ) -> std::result::Result<Self, PeriodeError> {
        let d = |m, j| Date::new(annee, m, j).ok_or(PeriodeError::Annee(annee));
        let (debut, fin) = match (semestre, du, au) {
            (Some(1), None, None) => (d(1, 1)?, d(6, 30)?),
            (Some(2), None, None) => (d(7, 1)?, d(12, 31)?),
            (Some(s), None, None) => return Err(PeriodeError::Semestre(s)),
            (None, None, None) => (d(1, 1)?, d(12, 31)?),
            (None, Some(a), Some(b)) if a <= b => (a, b),
            (None, Some(a), Some(b)) => return Err(PeriodeError::FinAvantDebut(a, b)),
            (None, _, _) => return Err(PeriodeError::BorneSeule),
            (Some(_), _, _) => return Err(PeriodeError::SemestreEtDates),
        };
        Ok(Self { annee, semestre, debut, fin })
    }

    pub fn contient(&self, d: Option<Date>) -> bool {
        d.is_some_and(|d| self.debut <= d && d <= self.fin)
    }

    /// The share of year N the period covers (for objectives pro rata temporis).
    pub fn prorata(&self) -> f64 {
        self.fraction(self.annee)
    }

    /// The share of a year the period covers: a period from 1 March 2024 to 28 February 2025
    /// covers 306/366 of 2024 and 59/365 of 2025.
    pub fn fraction(&self, annee: i32) -> f64 {
        let (Some(y0), Some(y1)) = (Date::new(annee, 1, 1), Date::new(annee, 12, 31)) else { return 0.0 };
        let a = self.debut.max(y0).days_since_epoch();
        let b = self.fin.min(y1).days_since_epoch();
        let len = (y1.days_since_epoch() - y0.days_since_epoch() + 1) as f64;
        ((b - a + 1).max(0) as f64 / len).min(1.0)
    }

    /// The years other than N the period covers (their objectives count pro rata temporis).
    pub fn autres_annees(&self) -> Vec<i32> {
        (self.debut.year..=self.fin.year).filter(|y| *y != self.annee).collect()
    }

    /// The whole of year N, exactly: the bilan of the year (objectives whole, reliquat).
    pub fn est_annuel(&self) -> bool {
        self.semestre.is_none()
            && Date::new(self.annee, 1, 1) == Some(self.debut)
            && Date::new(self.annee, 12, 31) == Some(self.fin)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BilanReservataire {
    pub id: Reservataire,
    pub decompte: Etape,
    pub objectif: u64,
    pub objectif_periode: f64,
    pub mises_a_disposition: u64,
    pub avec_candidats: u64,
    pub examines_cal: u64,
    pub attributions: u64,
    pub baux_signes: u64,
    pub decomptes: u64,
    pub ecart: f64,
    /// Among the period's mises à disposition concluded by its end, the share that ended
    /// without a lease; those still open are `en_cours`, never chutes.
    pub taux_chute: f64,
    /// The period's mises à disposition still open at its end (no lease yet, or a lease after).
    pub en_cours: u64,
    /// The period's mises à disposition that ended with a lease by its end (the cohort's
    /// leases): `mises_a_disposition` = `baux_cohorte` + `chutes` + `en_cours`.
    pub baux_cohorte: u64,
    /// Those that ended without a lease by the end of the period, and why.
    pub chutes: u64,
    pub chutes_par_cause: BTreeMap<&'static str, u64>,
    /// Its share of the décomptes of its perimeter (a commune's: of its commune), against the
    /// rate its convention states on that perimeter (the flux's `taux`).
    pub part_realisee: f64,
    /// The base of `part_realisee`: the décomptes of the réservataires on its perimeter (the
    /// documents say « n sur m »).
    #[serde(skip)]
    pub decomptes_du_perimetre: u64,
    pub taux_convention: f64,
    /// Its objective's share of the réservataires' flux on that same perimeter (the flux
    /// without the bailleurs' own, non réservé): the same base as `part_realisee`, which counts
    /// only the réservataires' décomptes; `taux_convention` is a share of the whole flux.
    pub part_flux_reserve: f64,
    /// Where the convention rate is measured, in words (« commune d'Antibes »).
    #[serde(skip)]
    pub perimetre: String,
    /// What is not met at the end of the year, carried to next year's objective.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reliquat: Option<u64>,
    /// Its leases of the period to publics prioritaires (CIA objectives), of which DALO; the
    /// leases whose household is not filled in, apart; the share of the others against its
    /// objective (`None` where the law and the CIA set none).
    pub attributions_prioritaires: u64,
    pub dont_dalo: u64,
    pub non_renseignes: u64,
    pub part_prioritaires: Option<f64>,
    pub objectif_prioritaires: Option<f64>,
    /// The base of `part_prioritaires`: its leases whose household is known, and whether they
    /// are enough to read the share against the objective (at least half of its leases).
    pub menages_renseignes: u64,
    pub base_suffisante: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct PrevusRealises {
    /// The forecast pro rata temporis, rounded to a whole number (`interfaces.md`).
    pub prevus: u64,
    pub realises: u64,
    /// The same with one decimal, as the objectives of the period are written.
    #[serde(skip)]
    pub prevus_periode: f64,
}

impl Bilan {
    /// The bilan of one bailleur that sent no register (nor typed any mise à disposition): its
    /// objectives stand, its realisations are unknown — never zeros to read as facts.
    pub fn registre_non_transmis(&self) -> bool {
        self.bailleur.as_ref().is_some_and(|b| self.sans_registre.contains(b))
    }

    /// What the window and the documents say of the bailleurs not counted (register not
    /// received, flux of the year not saved), if any.
    pub fn mention_sans_registre(&self) -> Option<String> {
        let registre = self.mention_registre();
        let flux = (!self.sans_flux.is_empty()).then(|| {
            format!(
                "Flux {} non enregistré, bailleurs exclus des objectifs et des réalisations : {}.",
                self.annee,
                self.sans_flux.join(", ")
            )
        });
        match (registre, flux) {
            (Some(a), Some(b)) => Some(format!("{a} {b}")),
            (a, b) => a.or(b),
        }
    }

    fn mention_registre(&self) -> Option<String> {
        if self.registre_non_transmis() {
            Some(format!(
                "Registre non transmis : aucun registre des mises à disposition {} n'est importé ni aucune mise à disposition saisie ; ses objectifs sont donnés, ses réalisations sont inconnues (ni décompte, ni écart, ni reliquat).",
                crate::format::de(self.bailleur.as_deref().unwrap_or_default())
            ))
        } else if self.bailleur.is_none() && !self.sans_registre.is_empty() {
            Some(format!(
                "Registre non transmis, bailleurs exclus des objectifs et des réalisations : {}.",
                self.sans_registre.join(", ")
            ))
        } else {
            None
        }
    }

    /// The decimals of the objectives and gaps written: none in an annual bilan, one otherwise.
    pub fn decimales(&self) -> usize {
        if self.annuel { 0 } else { 1 }
    }

    /// The total row of the réservataires, the same in the window and every document.
    pub fn total(&self) -> TotalBilan {
        let s = |f: fn(&BilanReservataire) -> u64| self.reservataires.iter().map(f).sum::<u64>();
        let dixiemes =
            |f: fn(&BilanReservataire) -> f64| (self.reservataires.iter().map(f).sum::<f64>() * 10.0).round() / 10.0;
        let (mises_a_disposition, en_cours, chutes) =
            (s(|r| r.mises_a_disposition), s(|r| r.en_cours), s(|r| r.chutes));
        TotalBilan {
            objectif: s(|r| r.objectif),
            objectif_periode: dixiemes(|r| r.objectif_periode),
            mises_a_disposition,
            avec_candidats: s(|r| r.avec_candidats),
            examines_cal: s(|r| r.examines_cal),
            attributions: s(|r| r.attributions),
            baux_signes: s(|r| r.baux_signes),
            decomptes: s(|r| r.decomptes),
            ecart: dixiemes(|r| r.ecart),
            baux_cohorte: s(|r| r.baux_cohorte),
            en_cours,
            chutes,
            // The taux de chute of all the réservataires' concluded ones; none concluded: none.
            taux_chute: (mises_a_disposition > en_cours)
                .then(|| chutes as f64 / (mises_a_disposition - en_cours) as f64),
        }
    }
}

/// The sums of the réservataires' rows of a bilan (objectives and gaps to the tenth).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TotalBilan {
    pub objectif: u64,
    pub objectif_periode: f64,
    pub mises_a_disposition: u64,
    pub avec_candidats: u64,
    pub examines_cal: u64,
    pub attributions: u64,
    pub baux_signes: u64,
    pub decomptes: u64,
    pub ecart: f64,
    pub baux_cohorte: u64,
    pub en_cours: u64,
    pub chutes: u64,
    pub taux_chute: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct LigneDetail {
    pub bailleur: String,
    pub reservataire: Reservataire,
    pub commune: String,
    pub typologie: String,
    pub financement: String,
    pub qpv: bool,
    pub periode_construction: &'static str,
    pub mises_a_disposition: u64,
    pub attributions: u64,
    pub baux_signes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlerteBilan {
    pub regle: Regle,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reservataire: Option<Reservataire>,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Signalement {
    pub bailleur: String,
    pub reference: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bilan {
    pub annee: i32,
    pub semestre: Option<u8>,
    pub debut: String,
    pub fin: String,
    pub bailleur: Option<String>,
    pub epci: Option<String>,
    /// The one réservataire this bilan is for (`--reservataire`): only its figures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reservataire: Option<Reservataire>,
    /// The flux of year N (saved parameters) of the bailleurs counted, and of it the
    /// bailleurs' own share (non réservé): the objectives listed add up to the rest.
    pub flux: u64,
    pub non_reserve: u64,
    /// The bailleurs whose objectives and registers are counted, and those left out of a
    /// consolidated bilan because no register of theirs was received (« registre non transmis »).
    pub bailleurs: Vec<String>,
    pub sans_registre: Vec<String>,
    /// The bailleurs left out of a consolidated bilan because their flux of year N is not saved
    /// (no objective): « flux non enregistré » — « Bailleur (EPCI) » when only on some EPCIs.
    pub sans_flux: Vec<String>,
    pub reservataires: Vec<BilanReservataire>,
    pub hors_flux: BTreeMap<&'static str, PrevusRealises>,
    /// A bilan of the whole year (objectives in whole logements, reliquat); otherwise the
    /// objectives pro rata temporis are written with one decimal.
    #[serde(skip)]
    pub annuel: bool,
    /// Each year the period covers and the share of it (one line for a period within year N):
    /// the objectives of the period are each year's pro rata.
    #[serde(skip)]
    pub annees: Vec<(i32, f64)>,
    /// The CIA objectives of the EPCI and of each bailleur (quartiles, the bailleurs' own).
    pub cia: super::cia::Cia,
    pub detail: Vec<LigneDetail>,
    /// Cumulative décomptes by month of the period, per réservataire (for the chart).
    pub cumul_mensuel: BTreeMap<String, Vec<u64>>,
    pub alertes: Vec<AlerteBilan>,
    pub signalements: Vec<Signalement>,
    /// Mises à disposition without an answer after their deadline, at the end of the period
    /// (or today, for the period in progress).
    pub retards_de_reponse: Vec<super::Retard>,
    pub rejets: Vec<RejetRegistre>,
    /// Without `--epci`, the EPCIs whose flux the bilan counts, by name (the header of the
    /// documents names them instead of « tous les EPCI du dossier »). Not in the JSON.
    #[serde(skip)]
    pub epcis_comptes: Vec<String>,
}

/// Bailleur, réservataire, commune, typologie, financement, QPV, construction period.
type CleDetail<'a> = (&'a str, &'a str, &'a str, &'static str, &'static str, bool, &'static str);

/// The construction periods of the regulatory breakdown (R.441-5-1).
pub fn periode_construction(annee: Option<i32>) -> &'static str {
    match annee {
        None => "inconnue",
        Some(a) if a < 1949 => "avant 1949",
        Some(a) if a <= 1974 => "1949-1974",
        Some(a) if a <= 1989 => "1975-1989",
        Some(a) if a <= 2004 => "1990-2004",
        Some(a) if a <= 2014 => "2005-2014",
        Some(_) => "2015 et après",
    }
}

/// The décomptes: each libération counted once, at the step its réservataire's convention
/// chose, for the first mise à disposition (in order) that reached it. Returns, for each
/// mise à disposition counted, its index and the date it counts at.
pub fn decomptes(mads: &[MiseADisposition], etape: &dyn Fn(&str, &str) -> Etape) -> Vec<(usize, Date)> {
    // A libération: the dwelling and the end of the notice (else the mise à disposition alone);
    // its mises à disposition in order (those without a date last), then by id. One sort of
    // borrowed keys instead of a list per libération.
    type Cle<'a> = (&'a str, &'a str, std::result::Result<Date, i64>, bool, Option<Date>, i64, usize);
    let mut v: Vec<Cle> = mads
        .iter()
        .enumerate()
        .filter(|(_, m)| m.reservataire.is_some() && m.hors_flux.is_none())
        .map(|(i, m)| {
            let mad = m.etapes.date_mise_a_disposition;
            (
                m.bailleur.as_str(),
                m.reference.as_str(),
                m.etapes.date_liberation.ok_or(m.id),
                mad.is_none(),
                mad,
                m.id,
                i,
            )
        })
        .collect();
    v.sort_unstable();
    let mut out = Vec::new();
    let mut k = 0;
    while k < v.len() {
        let n = v[k..].iter().take_while(|c| (c.0, c.1, c.2) == (v[k].0, v[k].1, v[k].2)).count();
        for c in &v[k..k + n] {
            let m = &mads[c.6];
            let r = m.reservataire.as_deref().unwrap_or_default();
            if let Some(d) = m.date_etape(etape(&m.bailleur, r)) {
                out.push((c.6, d));
                break;
            }
        }
        k += n;
    }
    out.sort_unstable();
    out
}

/// The perimeter of a rate measured on the whole of a bilan without an EPCI, until named.
const PERIMETRE_TOUT: &str = "territoire du bilan";

/// The causes of a chute, as the bilan lists them (« valoriser les propositions refusées »).
pub const CAUSES_DE_CHUTE: [(&str, &str); 4] = [
    ("refus", "Refus du candidat"),
    ("non_attribution", "Non-attribution en CALEOL"),
    ("reprise", "Reprise par le bailleur"),
    ("reorientation", "Réorientation"),
];

/// Where a réservataire's convention rate is measured, for its realised share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PerimetreBilan {
    Commune(String),
    Epci(String),
    /// The whole of the bilan (the State, Action Logement… on the EPCI or the département).
    Tout,
}

/// The objectives of year N: each réservataire's logements in the saved flux of every
/// (bailleur, EPCI), summed; and the soustraits forecast; and the rates the conventions state
/// on each réservataire's perimeter.
pub(crate) struct Objectifs {
    pub(crate) logements: BTreeMap<String, u64>,
    pub(crate) taux: BTreeMap<String, f64>,
    pub(crate) perimetres: BTreeMap<String, PerimetreBilan>,
    pub(crate) soustraits: BTreeMap<&'static str, u64>,
    pub(crate) sans_parametres: Vec<(i32, String)>,
    /// The flux of year N, summed over the (bailleur, EPCI).
    pub(crate) flux: u64,
    /// The réservataires' flux (without the non réservé) on each perimeter: the whole, each
    /// EPCI, each commune.
    pub(crate) flux_reserve: u64,
    pub(crate) flux_reserve_epci: BTreeMap<String, u64>,
    pub(crate) flux_reserve_commune: BTreeMap<String, u64>,
    /// The objectives of the EPCI's CIA.
    pub(crate) cia: crate::model::ReglagesCia,
    /// The other years a period across two years covers: each year's objectives and soustraits
    /// forecast, counted pro rata of the part of that year in the period (review 2, A5).
    pub(crate) autres_annees: Vec<AutreAnnee>,
}

/// The objectives and the soustraits forecast of another year than N that the period covers.
pub(crate) struct AutreAnnee {
    pub(crate) annee: i32,
    pub(crate) logements: BTreeMap<String, u64>,
    pub(crate) soustraits: BTreeMap<&'static str, u64>,
}

impl Objectifs {
    /// A réservataire's objective over the period: year N's pro rata, plus the other years'.
    fn quota(&self, id: &str, p: &Periode) -> f64 {
        self.logements.get(id).copied().unwrap_or(0) as f64 * p.prorata()
            + self
                .autres_annees
                .iter()
                .map(|a| a.logements.get(id).copied().unwrap_or(0) as f64 * p.fraction(a.annee))
                .sum::<f64>()
    }

    /// The soustraits forecast over the period, by category.
    fn soustraits_periode(&self, k: &str, p: &Periode) -> f64 {
        self.soustraits.get(k).copied().unwrap_or(0) as f64 * p.prorata()
            + self
                .autres_annees
                .iter()
                .map(|a| a.soustraits.get(k).copied().unwrap_or(0) as f64 * p.fraction(a.annee))
                .sum::<f64>()
    }
}

/// `groupes`: each (bailleur, EPCI)'s dwellings, read once. The flux of each is the one the
/// flux screen shows: the EPCI's part of the departmental flux when that was saved (rule 9).
fn objectifs(
    d: &Dossier,
    groupes: &BTreeMap<(String, String), Vec<crate::flux::Groupe>>,
    annee: i32,
) -> Result<Objectifs> {
    let mut o = Objectifs {
        logements: BTreeMap::new(),
        taux: BTreeMap::new(),
        perimetres: BTreeMap::new(),
        soustraits: BTreeMap::new(),
        sans_parametres: vec![],
        flux: 0,
        flux_reserve: 0,
        flux_reserve_epci: BTreeMap::new(),
        flux_reserve_commune: BTreeMap::new(),
        cia: d.reglages_cia()?,
        autres_annees: vec![],
    };
    // Each réservataire's rate weighted by the flux of its perimeter, over the bailleurs.
    let mut ponderes: BTreeMap<String, (f64, f64, f64)> = BTreeMap::new();
    for ((b, e), g) in groupes {
        let f = crate::flux::flux_de_l_epci(d, b, e, annee, g)?;
        o.flux += f.flux;
        let propres: u64 =
            f.reservataires.iter().filter(|r| r.id == Reservataire::NON_RESERVE.as_str()).map(|r| r.logements).sum();
        o.flux_reserve += f.flux.saturating_sub(propres);
        *o.flux_reserve_epci.entry(e.clone()).or_default() += f.flux.saturating_sub(propres);
        for c in &f.communes {
            *o.flux_reserve_commune.entry(c.commune.clone()).or_default() += c
                .reservataires
                .iter()
                .filter(|r| r.id != Reservataire::NON_RESERVE.as_str())
                .map(|r| r.logements)
                .sum::<u64>();
        }
        if f.departement.is_none() {
            let qui = format!("{b} ({})", crate::consolidate::nom_epci(e));
            if !f.parametres.saisis() {
                o.sans_parametres.push((annee, qui));
            } else if let Some(source) = f.parametres.annee_source {
                // Carried over from an earlier year (a period across two years reaches a year
                // not saved yet): said, never taken for that year's.
                o.sans_parametres.push((annee, format!("{qui} : ceux de {source} repris, à confirmer")));
            }
        }
        for r in &f.reservataires {
            *o.logements.entry(r.id.to_string()).or_default() += r.logements;
            let (perimetre, poids) = match &r.perimetre {
                crate::flux::Perimetre::Commune(c) => (
                    PerimetreBilan::Commune(c.clone()),
                    f.communes.iter().find(|x| x.commune == *c).map(|x| x.flux).unwrap_or(0),
                ),
                crate::flux::Perimetre::Epci(x) if Portee::de(&r.id) == Portee::Epci => {
                    (PerimetreBilan::Epci(x.clone()), f.flux)
                }
                _ => (PerimetreBilan::Tout, f.flux),
            };
            let taux = r.taux_reduit.unwrap_or(r.taux);
            let w = ponderes.entry(r.id.to_string()).or_insert((0.0, 0.0, taux));
            w.0 += taux * poids as f64;
            w.1 += poids as f64;
            match o.perimetres.get(r.id.as_str()) {
                Some(p) if *p != perimetre => {
                    o.perimetres.insert(r.id.to_string(), PerimetreBilan::Tout);
                }
                None => {
                    o.perimetres.insert(r.id.to_string(), perimetre);
                }
                _ => {}
            }
        }
        for (m, n) in &f.soustraits {
            let k = super::HorsFlux::parse(m).unwrap_or(super::HorsFlux::Autres).as_str();
            *o.soustraits.entry(k).or_default() += n;
        }
    }
    for (id, (somme, poids, premier)) in ponderes {
        o.taux.insert(id, if poids > 0.0 { somme / poids } else { premier });
    }
    Ok(o)
}

/// The distinct values of a hundred thousand rows, in order: a few names, found by hashing
/// instead of sorting every row.
fn distincts<T: Ord + std::hash::Hash + Eq>(it: impl Iterator<Item = T>) -> BTreeSet<T> {
    it.collect::<crate::text::FastSet<T>>().into_iter().collect()
}

/// A bailleur and its dwellings grouped by EPCI.
type Lus = (String, BTreeMap<String, Vec<crate::flux::Groupe>>);

/// Dwellings grouped as the flux reads them, by (bailleur, EPCI).
pub type GroupesParPaire = BTreeMap<(String, String), Vec<crate::flux::Groupe>>;

/// The dwellings of some bailleurs (on one EPCI, or all), grouped by (bailleur, EPCI) as the
/// flux reads them ([`crate::flux::groupes`]: same groups, same order), from the cells of the
/// cube kept in the dossier and the few dwellings that have a nature — instead of reading a
/// million dwellings. `None` when the cells and the dwellings disagree (then the dwellings are
/// read).
pub fn groupes_du_cube(d: &Dossier, bailleurs: &[&str], epci: Option<&str>) -> Result<Option<GroupesParPaire>> {
    use crate::model::{Financement, TypologieGrille};
    // The kept cells when they match the dossier, else computed from the dwellings.
    let c = d.cases_du_cube()?;
    // Codes: ranks in the cube's sorted dictionaries; `AUCUN` for « non réservé » when no cell
    // names it, and for no nature.
    const AUCUN: u32 = u32::MAX;
    let rang = |v: &[String], s: &str| v.binary_search_by(|x| x.as_str().cmp(s)).ok().map(|i| i as u32);
    let non_reserve = rang(&c.reservataires, Reservataire::NON_RESERVE.as_str()).unwrap_or(AUCUN);
    // (bailleur, EPCI, commune, réservataire, financement, typologie, QPV, nature) → dwellings.
    type Cle = (u32, u32, u32, u32, Financement, TypologieGrille, bool, u32);
    let voulu = |b: &str, e: &str| bailleurs.contains(&b) && epci.is_none_or(|x| x == e);
    let mut n: FastMap<Cle, i64> = FastMap::default();
    for x in &c.cases {
        if !voulu(&c.bailleurs[x.bailleur as usize], &c.epcis[x.epci as usize]) {
            continue;
        }
        let cle = (x.bailleur, x.epci, x.commune, x.reservataire, x.financement, x.typologie, x.qpv, AUCUN);
        // A right extinct at the reference date counts as non réservé, as the flux reads it.
        let echus = i64::from(x.echus);
        *n.entry(cle).or_default() += x.logements as i64 - echus;
        if echus > 0 {
            *n.entry((cle.0, cle.1, cle.2, non_reserve, cle.4, cle.5, cle.6, AUCUN)).or_default() += echus;
        }
    }
    // The dwellings with a nature, moved from their cell's group to their own.
    let mut natures: Vec<String> = Vec::new();
    let mut incoherent = false;
    d.pour_chaque_logement_actif_avec_nature(|l| {
        if !voulu(l.bailleur, l.epci) {
            return;
        }
        let r = if l.reservataire == Reservataire::NON_RESERVE.as_str() {
            Some(non_reserve)
        } else {
            rang(&c.reservataires, l.reservataire)
        };
        let (Some(b), Some(e), Some(commune), Some(r), Some(nature)) =
            (rang(&c.bailleurs, l.bailleur), rang(&c.epcis, l.epci), rang(&c.communes, l.commune), r, l.nature)
        else {
            incoherent = true;
            return;
        };
        let k = match natures.iter().position(|x| x == nature) {
            Some(k) => k as u32,
            None => {
                natures.push(nature.to_string());
                (natures.len() - 1) as u32
            }
        };
        *n.entry((b, e, commune, r, l.financement, l.typologie, l.qpv, AUCUN)).or_default() -= 1;
        *n.entry((b, e, commune, r, l.financement, l.typologie, l.qpv, k)).or_default() += 1;
    })?;
    if incoherent || n.values().any(|k| *k < 0) {
        // Cells that do not tell the dwellings: never guessed, the dwellings are read.
        return Ok(None);
    }
    // The order of the flux's own reading (commune, réservataire, financement's name,
    // typology, QPV, nature), on codes: the dictionaries are sorted, so a rank orders as its
    // name; « non réservé » when no cell names it takes the place its name would have.
    let place_non_reserve =
        match c.reservataires.binary_search_by(|x| x.as_str().cmp(Reservataire::NON_RESERVE.as_str())) {
            Ok(i) | Err(i) => 2 * i as u32,
        };
    let ordre_reservataire = |r: u32| if r == AUCUN { place_non_reserve } else { 2 * r + 1 };
    let mut noms_financement = Financement::ALL;
    noms_financement.sort_by_key(|f| f.as_str());
    let ordre_financement = |f: Financement| noms_financement.iter().position(|x| *x == f).unwrap_or(0);
    type Ordre = (u32, u32, usize, TypologieGrille, bool);
    let mut par_paire: FastMap<(u32, u32), Vec<(Ordre, crate::flux::Groupe)>> = FastMap::default();
    for ((b, e, commune, r, financement, typologie, qpv, nature), k) in n {
        if k == 0 {
            continue;
        }
        let reservataire = if r == AUCUN {
            Reservataire::NON_RESERVE
        } else {
            Reservataire::new(c.reservataires[r as usize].as_str())
        };
        let ordre = (commune, ordre_reservataire(r), ordre_financement(financement), typologie, qpv);
        par_paire.entry((b, e)).or_default().push((
            ordre,
            crate::flux::Groupe {
                commune: c.communes[commune as usize].clone(),
                reservataire,
                financement,
                typologie,
                qpv,
                nature: (nature != AUCUN).then(|| natures[nature as usize].clone()),
                logements: k as u64,
            },
        ));
    }
    let out: GroupesParPaire = par_paire
        .into_iter()
        .map(|((b, e), mut g)| {
            // Without a nature first (None), then the natures by name.
            g.sort_unstable_by(|(x, gx), (y, gy)| x.cmp(y).then_with(|| gx.nature.cmp(&gy.nature)));
            ((c.bailleurs[b as usize].clone(), c.epcis[e as usize].clone()), g.into_iter().map(|(_, g)| g).collect())
        })
        .collect();
    Ok(Some(out))
}

/// Options of a bilan: the period, and optionally one bailleur and one EPCI.
#[derive(Debug, Clone)]
pub struct BilanOptions {
    pub periode: Periode,
    pub bailleur: Option<String>,
    pub epci: Option<String>,
    /// Only this réservataire's figures (the bilan sent to it).
    pub reservataire: Option<Reservataire>,
}

/// Computes the bilan of a period from the dossier.
pub fn bilan(d: &Dossier, o: &BilanOptions) -> Result<Bilan> {
    let bailleurs: Option<Vec<String>> = o.bailleur.clone().map(|b| vec![b]);
    // The (bailleur, EPCI) pairs whose flux gives the objectives, with their dwellings.
    let mut groupes: BTreeMap<(String, String), Vec<crate::flux::Groupe>> = BTreeMap::new();
    let tous = d.bailleurs_actifs()?;
    // The mises à disposition read on a second connection while this one takes the groups of
    // the bailleurs' dwellings from the cube (a hundred thousand rows and a million dwellings'
    // cells at the same time: the bilan's two longest readings, on the two cores); read here
    // when no second connection opens.
    let candidats: Vec<&str> =
        tous.iter().filter(|b| o.bailleur.as_ref().is_none_or(|x| x == *b)).map(String::as_str).collect();
    let path = d.path.clone();
    let (mads, du_cube) = std::thread::scope(|s| {
        let lecture = s.spawn(|| -> Option<Result<Vec<MiseADisposition>>> {
            let d2 = Dossier::open_read_only(&path).ok()?;
            Some(d2.mises_a_disposition(bailleurs.as_deref(), o.epci.as_deref()).map_err(SuiviError::from))
        });
        let du_cube = groupes_du_cube(d, &candidats, o.epci.as_deref());
        (lecture.join().ok().flatten(), du_cube)
    });
    let mut mads = match mads {
        Some(m) => m?,
        None => d.mises_a_disposition(bailleurs.as_deref(), o.epci.as_deref())?,
    };
    if let Some(b) = &o.bailleur
        && !tous.contains(b)
        && mads.is_empty()
    {
        return Err(SuiviError::Donnees(format!("bailleur inconnu dans le dossier : « {b} »")));
    }
    // A consolidated bilan counts the bailleurs whose register (or mises à disposition typed in
    // the window) the dossier holds: the objectives of the others would face no realisation.
    // The bailleurs of the mises à disposition, each once (a hundred thousand rows, a few names).
    let mut des_mads: BTreeSet<String> =
        distincts(mads.iter().map(|m| m.bailleur.as_str())).into_iter().map(String::from).collect();
    let avec_registre: BTreeSet<String> =
        d.bailleurs_avec_registre()?.into_iter().chain(des_mads.iter().cloned()).collect();
    let sans_registre: Vec<String> = match &o.bailleur {
        Some(_) => vec![],
        None => tous.iter().filter(|b| !avec_registre.contains(*b)).cloned().collect(),
    };
    // Each bailleur's dwellings read once; two bailleurs at a time, each on its own connection.
    let choisis: Vec<&String> =
        tous.iter().filter(|b| o.bailleur.as_ref().is_none_or(|x| x == *b) && !sans_registre.contains(b)).collect();
    // The cube's groups of the bailleurs counted (those without a register left out).
    let du_cube = du_cube?.map(|mut g| {
        g.retain(|(b, _), _| !sans_registre.contains(b));
        g
    });
    let lire = |d: &Dossier, b: &str| -> Result<BTreeMap<String, Vec<crate::flux::Groupe>>> {
        Ok(match &o.epci {
            Some(e) => BTreeMap::from([(e.clone(), crate::flux::groupes(d, b, e)?)]),
            None => crate::flux::groupes_par_epci(d, b)?,
        })
    };
    // From the cube kept in the dossier when it matches (a few thousand cells instead of a
    // million dwellings); else each bailleur's dwellings read.
    let lus: Vec<Result<Lus>> = if du_cube.is_some() {
        vec![]
    } else if choisis.len() > 1 {
        let (moitie_a, moitie_b) = choisis.split_at(choisis.len() / 2);
        let path = d.path.clone();
        std::thread::scope(|s| {
            let autre = s.spawn(move || -> Vec<Result<Lus>> {
                match Dossier::open_read_only(&path) {
                    Ok(d2) => moitie_b.iter().map(|b| lire(&d2, b).map(|g| ((*b).clone(), g))).collect(),
                    Err(e) => vec![Err(e.into())],
                }
            });
            let mut v: Vec<_> = moitie_a.iter().map(|b| lire(d, b).map(|g| ((*b).clone(), g))).collect();
            v.extend(autre.join().unwrap_or_else(|_| vec![Err(SuiviError::Donnees("lecture interrompue".into()))]));
            v
        })
    } else {
        choisis.iter().map(|b| lire(d, b).map(|g| ((*b).clone(), g))).collect()
    };
    for r in lus {
        let (b, par_epci) = r?;
        for (e, g) in par_epci.into_iter().filter(|(_, g)| !g.is_empty()) {
            groupes.insert((b.clone(), e), g);
        }
    }
    if let Some(g) = du_cube {
        groupes = g;
    }
    // A consolidated bilan counts the (bailleur, EPCI) whose flux of year N is saved: without
    // it there is no objective to face the realisations (review: such a bailleur was listed as
    // counted, with objectives of 0). Left out — objectives and realisations — and listed
    // « flux non enregistré », as the bailleurs without a register are « registre non transmis ».
    let mut sans_flux: Vec<String> = vec![];
    if o.bailleur.is_none() {
        let mut manquants: Vec<(String, String)> = vec![];
        for ((b, e), g) in &groupes {
            if !crate::flux::flux_de_l_annee(d, b, e, o.periode.annee, g)?.existe() {
                manquants.push((b.clone(), e.clone()));
            }
        }
        for k in &manquants {
            groupes.remove(k);
        }
        let restants: BTreeSet<&str> = groupes.keys().map(|(b, _)| b.as_str()).collect();
        let entiers: BTreeSet<&str> =
            manquants.iter().map(|(b, _)| b.as_str()).filter(|b| !restants.contains(b)).collect();
        for (b, e) in &manquants {
            if !entiers.contains(b.as_str()) {
                sans_flux.push(format!("{b} ({})", crate::consolidate::nom_epci(e)));
            }
        }
        sans_flux.extend(entiers.iter().map(|b| b.to_string()));
        sans_flux.sort();
        if !manquants.is_empty() {
            mads.retain(|m| {
                !entiers.contains(m.bailleur.as_str())
                    && !manquants.iter().any(|(b, e)| *b == m.bailleur && *e == m.epci)
            });
            des_mads.retain(|b| !entiers.contains(b.as_str()));
        }
    }
    let paires: BTreeSet<(String, String)> = groupes.keys().cloned().collect();
    let mut obj = objectifs(d, &groupes, o.periode.annee)?;
    // A period across two years: the other year's objectives too, pro rata of its days.
    for annee in o.periode.autres_annees() {
        let autre = objectifs(d, &groupes, annee)?;
        obj.sans_parametres.extend(autre.sans_parametres);
        obj.autres_annees.push(AutreAnnee { annee, logements: autre.logements, soustraits: autre.soustraits });
    }
    let rej = {
        let concernes: Vec<String> = match &o.bailleur {
            Some(b) => vec![b.clone()],
            None => paires
                .iter()
                .map(|(b, _)| b.as_str())
                .chain(des_mads.iter().map(String::as_str))
                .collect::<BTreeSet<&str>>()
                .into_iter()
                .map(String::from)
                .collect(),
        };
        rejets(d, Some(&concernes))?
    };
    // The conventions' settings read once.
    let reglages = super::ReglagesDesConventions::lire(d)?;
    let mut etapes: HashMap<(String, String), Etape> = HashMap::new();
    let conventions: BTreeSet<(&str, &str)> =
        distincts(mads.iter().filter_map(|m| Some((m.bailleur.as_str(), m.reservataire.as_deref()?))));
    for (b, r) in conventions {
        etapes.insert((b.to_string(), r.to_string()), reglages.etape(b, r));
    }
    for id in obj.logements.keys() {
        for (b, _) in &paires {
            etapes.entry((b.clone(), id.clone())).or_insert_with(|| reglages.etape(b, id));
        }
    }
    let delais: Delais = etapes
        .keys()
        .map(|(b, r)| ((b.clone(), r.clone()), (reglages.regle_delai(b, r), reglages.calendrier(b, r, None))))
        .collect();
    let mut b = calculer(&mads, &o.periode, &obj, &etapes, &delais, rej, o.bailleur.clone(), o.epci.clone());
    b.bailleurs = match &o.bailleur {
        Some(x) => vec![x.clone()],
        None => {
            let avec: BTreeSet<String> =
                paires.iter().map(|(b, _)| b.clone()).chain(avec_registre.iter().cloned()).collect();
            avec.into_iter().filter(|x| !sans_registre.contains(x) && !sans_flux.contains(x)).collect()
        }
    };
    b.sans_registre = sans_registre;
    b.sans_flux = sans_flux;
    // A bailleur's own bilan without its register: its objectives, but no realisation is known
    // (review 2, A7): « registre non transmis », no reliquat, no alert of months without any
    // mise à disposition; the documents print no count and no gap.
    if let Some(x) = &o.bailleur
        && !avec_registre.contains(x)
    {
        b.sans_registre = vec![x.clone()];
        b.alertes.retain(|a| a.regle != Regle::SansMiseADisposition3Mois);
        for r in &mut b.reservataires {
            r.reliquat = None;
        }
    }
    // Without --epci, the perimeter of a rate measured on the whole bilan is named: its EPCI,
    // or its EPCIs.
    if b.epci.is_none() {
        let epcis: BTreeSet<&str> = paires.iter().map(|(_, e)| e.as_str()).collect();
        b.epcis_comptes = epcis.iter().map(|e| crate::consolidate::nom_epci(e)).collect();
        let nom = match epcis.len() {
            0 => None,
            1 => epcis.iter().next().map(|e| crate::consolidate::nom_epci(e)),
            _ => Some(format!(
                "ensemble des EPCI du bilan ({})",
                epcis.iter().map(|e| crate::consolidate::nom_epci(e)).collect::<Vec<_>>().join(", ")
            )),
        };
        if let Some(nom) = nom {
            for r in b.reservataires.iter_mut().filter(|r| r.perimetre == PERIMETRE_TOUT) {
                r.perimetre = nom.clone();
            }
        }
    }
    if let Some(r) = &o.reservataire {
        b.seulement(r);
    }
    Ok(b)
}

impl Bilan {
    /// Keeps only one réservataire's figures (the bilan sent to it): its row, its breakdown,
    /// its alerts and late answers, the step counts of the bailleurs' leases to it; nothing of
    /// the other réservataires (nor the register rows set aside, which name them).
    pub fn seulement(&mut self, id: &str) {
        self.reservataire = Some(Reservataire::new(id));
        self.reservataires.retain(|r| r.id == id);
        self.detail.retain(|d| d.reservataire == id);
        self.cumul_mensuel.retain(|r, _| r == id);
        self.alertes.retain(|a| a.reservataire.as_deref() == Some(id));
        self.retards_de_reponse.retain(|r| r.reservataire == id);
        self.signalements.clear();
        self.rejets.clear();
        self.cia.propres = Default::default();
        self.cia.bailleurs.clear();
    }
}

/// Each convention's deadline rule and days, by (bailleur, réservataire).
pub(crate) type Delais = HashMap<(String, String), (super::calendrier::RegleDelai, super::calendrier::Calendrier)>;

#[allow(clippy::too_many_arguments)]
pub(crate) fn calculer(
    mads: &[MiseADisposition],
    p: &Periode,
    obj: &Objectifs,
    etapes: &HashMap<(String, String), Etape>,
    delais: &Delais,
    rejets: Vec<RejetRegistre>,
    bailleur: Option<String>,
    epci: Option<String>,
) -> Bilan {
    // The conventions' steps by borrowed (bailleur, réservataire): no allocation per lookup.
    let etapes_lues: FastMap<(&str, &str), Etape> =
        etapes.iter().map(|((b, r), e)| ((b.as_str(), r.as_str()), *e)).collect();
    let etape_of = |b: &str, r: &str| etapes_lues.get(&(b, r)).copied().unwrap_or(Etape::BailSigne);
    let counted = decomptes(mads, &etape_of);
    let mut ids: BTreeSet<String> = obj
        .logements
        .iter()
        .chain(obj.autres_annees.iter().flat_map(|a| a.logements.iter()))
        .filter(|(_, n)| **n > 0)
        .map(|(id, _)| id.clone())
        .collect();
    let des_registres: BTreeSet<&str> =
        distincts(mads.iter().filter(|m| m.hors_flux.is_none()).filter_map(|m| m.reservataire.as_deref()));
    ids.extend(des_registres.into_iter().map(String::from));
    ids.remove(crate::model::Reservataire::NON_RESERVE.as_str());
    // The rows in the order of their ids, found by id without comparing strings one by one.
    let index: FastMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    let mut rows: Vec<BilanReservataire> = Vec::with_capacity(ids.len());
    for id in &ids {
        let objectif = obj.logements.get(id).copied().unwrap_or(0);
        let decompte = bailleur
            .as_deref()
            .map(|b| etape_of(b, id))
            .unwrap_or_else(|| etapes.iter().find(|((_, r), _)| r == id).map(|(_, e)| *e).unwrap_or(Etape::BailSigne));
        rows.push(BilanReservataire {
            id: Reservataire::new(id.as_str()),
            decompte,
            objectif,
            objectif_periode: obj.quota(id, p),
            mises_a_disposition: 0,
            avec_candidats: 0,
            examines_cal: 0,
            attributions: 0,
            baux_signes: 0,
            decomptes: 0,
            ecart: 0.0,
            taux_chute: 0.0,
            en_cours: 0,
            baux_cohorte: 0,
            chutes: 0,
            chutes_par_cause: CAUSES_DE_CHUTE.iter().map(|(k, _)| (*k, 0)).collect(),
            part_realisee: 0.0,
            decomptes_du_perimetre: 0,
            part_flux_reserve: 0.0,
            taux_convention: obj.taux.get(id).copied().unwrap_or(0.0),
            perimetre: match obj.perimetres.get(id) {
                Some(PerimetreBilan::Commune(c)) => crate::format::commune_de(&crate::consolidate::nom_commune(c)),
                Some(PerimetreBilan::Epci(e)) => crate::consolidate::nom_epci(e),
                _ => match &epci {
                    Some(e) => crate::consolidate::nom_epci(e),
                    None => PERIMETRE_TOUT.into(),
                },
            },
            reliquat: None,
            attributions_prioritaires: 0,
            dont_dalo: 0,
            non_renseignes: 0,
            part_prioritaires: None,
            objectif_prioritaires: obj.cia.objectif_prioritaires(id),
            menages_renseignes: 0,
            base_suffisante: false,
        });
    }
    let ligne = |r: &str| index.get(r).copied();
    // The next mise à disposition of the same libération: the reprise happened by then.
    let suivante = suivantes(mads);
    let mut hors_flux: BTreeMap<&'static str, PrevusRealises> = BTreeMap::new();
    for h in HorsFlux::ALL {
        let prevus = obj.soustraits_periode(h.as_str(), p);
        hors_flux.insert(
            h.as_str(),
            PrevusRealises {
                prevus: prevus.round() as u64,
                realises: 0,
                prevus_periode: (prevus * 10.0).round() / 10.0,
            },
        );
    }
    let mut detail: FastMap<CleDetail, [u64; 3]> = FastMap::default();
    let mut signalements = Vec::new();
    for m in mads {
        if let Some(s) = &m.signalement {
            signalements.push(Signalement {
                bailleur: m.bailleur.clone(),
                reference: m.reference.clone(),
                detail: s.clone(),
            });
        }
        if let Some(h) = m.hors_flux {
            if p.contient(m.etapes.date_bail) {
                hors_flux.entry(h.as_str()).or_default().realises += 1;
            }
            continue;
        }
        let Some(r) = &m.reservataire else { continue };
        let Some(i) = ligne(r.as_str()) else { continue };
        let row = &mut rows[i];
        let inc = |c: &mut u64, d: Option<Date>| {
            if p.contient(d) {
                *c += 1;
            }
        };
        inc(&mut row.mises_a_disposition, m.etapes.date_mise_a_disposition);
        inc(&mut row.avec_candidats, m.etapes.date_candidats);
        inc(&mut row.examines_cal, m.etapes.date_cal);
        inc(&mut row.attributions, m.date_etape(Etape::AttributionCal));
        inc(&mut row.baux_signes, m.bail_du_reservataire());
        if p.contient(m.etapes.date_mise_a_disposition) {
            match conclusion(m, suivante.get(&m.id).copied(), p.fin) {
                Conclusion::Bail => row.baux_cohorte += 1,
                Conclusion::EnCours => row.en_cours += 1,
                Conclusion::Chute(cause) => {
                    row.chutes += 1;
                    *row.chutes_par_cause.entry(cause).or_default() += 1;
                }
            }
        }
        let e = [
            u64::from(p.contient(m.etapes.date_mise_a_disposition)),
            u64::from(p.contient(m.date_etape(Etape::AttributionCal))),
            u64::from(p.contient(m.bail_du_reservataire())),
        ];
        if e.iter().any(|x| *x > 0) {
            let k = (
                m.bailleur.as_str(),
                r.as_str(),
                m.commune.as_str(),
                m.typologie.as_str(),
                m.financement.as_str(),
                m.qpv,
                periode_construction(m.annee_construction),
            );
            let slot = detail.entry(k).or_default();
            for i in 0..3 {
                slot[i] += e[i];
            }
        }
    }
    // Décomptes in the period, by réservataire, by month, outside QPV, and by perimeter.
    let mois = |d: Date| ((d.year - p.debut.year) * 12 + d.month as i32 - p.debut.month as i32).max(0) as usize;
    let n_mois = mois(p.fin) + 1;
    // Per row: its décomptes by month (a row without any has none).
    let mut par_mois: Vec<Option<Vec<u64>>> = vec![None; rows.len()];
    let (mut hors_qpv_total, mut hors_qpv_etat) = (0u64, 0u64);
    let mut par_commune: FastMap<&str, u64> = FastMap::default();
    let mut par_epci: FastMap<&str, u64> = FastMap::default();
    for (i, date) in &counted {
        if !p.contient(Some(*date)) {
            continue;
        }
        let m = &mads[*i];
        *par_commune.entry(m.commune.as_str()).or_default() += 1;
        *par_epci.entry(m.epci.as_str()).or_default() += 1;
        let r = m.reservataire.as_deref().unwrap_or_default();
        if !m.qpv {
            hors_qpv_total += 1;
            if Portee::de(r).est_etat() {
                hors_qpv_etat += 1;
            }
        }
        if let Some(l) = ligne(r) {
            rows[l].decomptes += 1;
            par_mois[l].get_or_insert_with(|| vec![0; n_mois])[mois(*date).min(n_mois - 1)] += 1;
        }
    }
    let mut cumul: BTreeMap<String, Vec<u64>> =
        ids.iter().cloned().zip(par_mois).filter_map(|(id, v)| Some((id, v?))).collect();
    for v in cumul.values_mut() {
        for i in 1..v.len() {
            v[i] += v[i - 1];
        }
    }
    let total_decomptes: u64 = rows.iter().map(|r| r.decomptes).sum();
    let annuel = p.est_annuel();
    // The objectives pro rata temporis in tenths, by largest remainder: each line is its quota
    // rounded down or up, and the lines add up to the total objective pro rata (133 × 184/366
    // = 66,9, never the 66,8 of rounded lines).
    let poids: Vec<f64> = rows.iter().map(|r| r.objectif_periode).collect();
    let total_dixiemes = (poids.iter().sum::<f64>() * 10.0 + 1e-9).round() as u64;
    for (row, n) in rows.iter_mut().zip(crate::flux::largest_remainder(total_dixiemes, &poids)) {
        row.objectif_periode = n as f64 / 10.0;
    }
    for row in rows.iter_mut() {
        row.ecart = ((row.decomptes as f64 - row.objectif_periode) * 10.0).round() / 10.0;
        let conclues = row.mises_a_disposition - row.en_cours;
        row.taux_chute = if conclues > 0 { row.chutes as f64 / conclues as f64 } else { 0.0 };
        let du_perimetre = match obj.perimetres.get(row.id.as_str()) {
            Some(PerimetreBilan::Commune(c)) => par_commune.get(c.as_str()).copied().unwrap_or(0),
            Some(PerimetreBilan::Epci(e)) => par_epci.get(e.as_str()).copied().unwrap_or(0),
            _ => total_decomptes,
        };
        row.part_realisee = if du_perimetre > 0 { row.decomptes as f64 / du_perimetre as f64 } else { 0.0 };
        row.decomptes_du_perimetre = du_perimetre;
        let reserve = match obj.perimetres.get(row.id.as_str()) {
            Some(PerimetreBilan::Commune(c)) => obj.flux_reserve_commune.get(c).copied().unwrap_or(0),
            Some(PerimetreBilan::Epci(e)) => obj.flux_reserve_epci.get(e).copied().unwrap_or(0),
            _ => obj.flux_reserve,
        };
        row.part_flux_reserve = if reserve > 0 { row.objectif as f64 / reserve as f64 } else { 0.0 };
        if annuel {
            row.reliquat = Some(row.objectif.saturating_sub(row.decomptes));
        }
    }

    // The CIA objectives: every lease of the period, flux and hors flux.
    let (cia, prioritaires, alertes_cia) = super::cia::calculer(mads, p, &obj.cia, bailleur.is_none());
    for (id, x) in prioritaires {
        if let Some(row) = ligne(&id).map(|l| &mut rows[l]) {
            row.attributions_prioritaires = x.attributions_prioritaires;
            row.dont_dalo = x.dont_dalo;
            row.non_renseignes = x.non_renseignes;
            row.part_prioritaires = x.part;
            row.menages_renseignes = x.menages_renseignes;
            row.base_suffisante = x.base_suffisante;
        }
    }
    let mut alertes = alertes_cia;
    let objectif_de = |id: &Reservataire| ligne(id.as_str()).map(|l| rows[l].objectif).unwrap_or(0);
    let etat_objectif = objectif_de(&Reservataire::ETAT) + objectif_de(&Reservataire::FONCTIONNAIRES);
    if etat_objectif > 0 && hors_qpv_total > 0 && (hors_qpv_etat as f64) < 0.30 * hors_qpv_total as f64 {
        alertes.push(AlerteBilan {
            regle: Regle::EtatHorsQpvMin30,
            reservataire: Some(Reservataire::ETAT),
            detail: format!(
                "l'État a {hors_qpv_etat} des {hors_qpv_total} logements décomptés hors QPV, moins de 30 % : à arbitrer avec la DDETS"
            ),
        });
    }
    // No mise à disposition for three months (at the end of the period).
    if let Some(limite) = crate::suivi::calendrier::ajouter_mois(p.fin, -3)
        && limite >= Date::new(p.annee, 1, 1).unwrap_or(p.debut)
    {
        // Each réservataire's last mise à disposition by the end of the period, in one pass.
        let mut derniere: FastMap<&str, Date> = FastMap::default();
        for m in mads {
            if let (Some(r), Some(d)) = (m.reservataire.as_deref(), m.etapes.date_mise_a_disposition)
                && d <= p.fin
            {
                let x = derniere.entry(r).or_insert(d);
                *x = (*x).max(d);
            }
        }
        for row in rows.iter().filter(|r| r.objectif > 0) {
            let last = derniere.get(row.id.as_str()).copied();
            if last.is_none_or(|l| l < limite) {
                alertes.push(AlerteBilan {
                    regle: Regle::SansMiseADisposition3Mois,
                    reservataire: Some(row.id.clone()),
                    detail: format!(
                        "{} : aucune mise à disposition depuis {}",
                        crate::consolidate::libelle_reservataire(&row.id),
                        match last {
                            Some(l) => format!("le {}", crate::format::date_fr(&l.to_string())),
                            None => "le début du suivi".into(),
                        }
                    ),
                });
            }
        }
    }
    for ((b, r), e) in etapes {
        if Portee::de(r).est_etat() && matches!(e, Etape::MiseADisposition | Etape::MiseADispositionValidee) {
            alertes.push(AlerteBilan {
                regle: Regle::DecompteEtat,
                reservataire: Some(Reservataire::new(r.as_str())),
                detail: format!(
                    "{b} : le flux de l'État ne se décompte jamais à la mise à disposition (au bail signé, ou à l'examen en CALEOL en gestion directe)"
                ),
            });
        }
    }
    for (annee, s) in &obj.sans_parametres {
        alertes.push(AlerteBilan {
            regle: Regle::ParametreParDefaut,
            reservataire: None,
            detail: format!("objectifs : paramètres du flux {annee} non enregistrés pour {s}"),
        });
    }
    alertes.sort_by(|a, b| a.regle.as_str().cmp(b.regle.as_str()).then(a.reservataire.cmp(&b.reservataire)));
    alertes.dedup();

    // The State first, then by id.
    let mut reservataires: Vec<BilanReservataire> = rows;
    reservataires.sort_by_key(|r| (!Portee::de(&r.id).est_etat(), r.id.clone()));
    Bilan {
        annee: p.annee,
        semestre: p.semestre,
        debut: p.debut.to_string(),
        fin: p.fin.to_string(),
        bailleur,
        epci,
        reservataire: None,
        flux: obj.flux,
        non_reserve: obj.logements.get(crate::model::Reservataire::NON_RESERVE.as_str()).copied().unwrap_or(0),
        bailleurs: vec![],
        sans_registre: vec![],
        sans_flux: vec![],
        reservataires,
        hors_flux,
        annuel,
        annees: std::iter::once(p.annee)
            .chain(obj.autres_annees.iter().map(|a| a.annee))
            .map(|a| (a, p.fraction(a)))
            .filter(|(_, f)| *f > 0.0)
            .collect(),
        cia,
        detail: {
            // In the order of the keys, as a sorted map would give them.
            let mut v: Vec<(CleDetail, [u64; 3])> = detail.into_iter().collect();
            v.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            v
        }
        .into_iter()
        .map(|((bailleur, reservataire, commune, typologie, financement, qpv, periode_construction), n)| LigneDetail {
            bailleur: bailleur.to_string(),
            reservataire: Reservataire::new(reservataire),
            commune: commune.to_string(),
            typologie: typologie.to_string(),
            financement: financement.to_string(),
            qpv,
            periode_construction,
            mises_a_disposition: n[0],
            attributions: n[1],
            baux_signes: n[2],
        })
        .collect(),
        cumul_mensuel: cumul,
        alertes,
        signalements,
        retards_de_reponse: super::retards(mads, p.fin.min(aujourd_hui()), &|m| {
            let cle = (m.bailleur.clone(), m.reservataire.as_deref().unwrap_or_default().to_string());
            let (regle, mut cal) = delais.get(&cle).cloned().unwrap_or_default();
            cal.departement = super::departement_de(&m.commune);
            (regle, cal)
        }),
        rejets,
        epcis_comptes: vec![],
    }
}

/// How a mise à disposition stands at the end of a period.
enum Conclusion {
    Bail,
    EnCours,
    Chute(&'static str),
}

/// For each mise à disposition, the date the next one of the same libération was made (the
/// reprise or the réorientation happened by then).
fn suivantes(mads: &[MiseADisposition]) -> FastMap<i64, Date> {
    let mut v: Vec<(&str, &str, Date, Date, i64)> = mads
        .iter()
        .filter(|m| m.hors_flux.is_none())
        .filter_map(|m| {
            Some((
                m.bailleur.as_str(),
                m.reference.as_str(),
                m.etapes.date_liberation?,
                m.etapes.date_mise_a_disposition?,
                m.id,
            ))
        })
        .collect();
    v.sort_unstable();
    v.windows(2).filter(|w| (w[0].0, w[0].1, w[0].2) == (w[1].0, w[1].1, w[1].2)).map(|w| (w[0].4, w[1].3)).collect()
}

/// Whether a mise à disposition ended with a lease, ended without one (and why), or is still
/// open at `fin`. A lease after `fin` is open at `fin`; an end without a date (a reprise)
/// happened by the next mise à disposition of the same libération, else by its last dated step.
fn conclusion(m: &MiseADisposition, suivante: Option<Date>, fin: Date) -> Conclusion {
    let e = &m.etapes;
    // A lease after a reprise is the bailleur's: the réservataire's mise à disposition fell.
    match m.bail_du_reservataire() {
        Some(b) if b <= fin => return Conclusion::Bail,
        Some(_) => return Conclusion::EnCours,
        None if e.issue == super::Issue::BailSigne => return Conclusion::Bail,
        None => {}
    }
    if !matches!(e.issue, super::Issue::Reprise | super::Issue::Reorientation) {
        return Conclusion::EnCours;
    }
    let quand = suivante.or_else(|| {
        [e.date_cal, e.date_candidats, e.date_validation, e.date_mise_a_disposition].into_iter().flatten().max()
    });
    if quand.is_some_and(|q| q > fin) {
        return Conclusion::EnCours;
    }
    Conclusion::Chute(match (e.decision_cal, e.issue) {
        (Some(super::DecisionCal::Refus), _) => "refus",
        (Some(super::DecisionCal::NonAttribution), _) => "non_attribution",
        (_, super::Issue::Reorientation) => "reorientation",
        _ => "reprise",
    })
}

/// Today's date (UTC).
pub fn aujourd_hui() -> Date {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    Date::new(1970, 1, 1).and_then(|d| d.add_days((secs / 86_400) as i64)).unwrap_or(Date {
        year: 2026,
        month: 1,
        day: 1,
    })
}
