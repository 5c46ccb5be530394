//! The bilan of a period (domaine.md, « Bilans »): for each réservataire its objective from
//! the saved flux, each step counted by its own date, the décompte of its convention (each
//! libération once), the gap, the taux de chute; the libérations outside the flux against the
//! soustraits forecast; the regulatory breakdown; the alerts.

mod calcul;
mod objectifs;
mod periode;

pub(crate) use calcul::{Delais, calculer};
pub use calcul::{decomptes, periode_construction};
pub(crate) use objectifs::AutreAnnee;
#[cfg(test)]
pub(crate) use objectifs::Objectifs;
pub use objectifs::{GroupesParPaire, PerimetreBilan, groupes_du_cube};
use objectifs::{Lus, PERIMETRE_TOUT, distincts};
pub use periode::{Periode, PeriodeError};

use super::{Etape, MiseADisposition, RejetRegistre, Result, SuiviError, rejets};
use crate::model::{Date, Regle, Reservataire};
use crate::store::Dossier;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

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

    /// For a period shorter than the year: how its objectives are taken from the year's (the
    /// column adds up to the total pro rata, so a line may be a tenth from its own pro rata:
    /// 14 × 184/366 = 7,04 written 7,1 when the tenths left go to it). `None` for the year.
    pub fn mention_prorata(&self) -> Option<String> {
        if self.annuel || self.annees.len() != 1 {
            return None;
        }
        let (annee, part) = self.annees[0];
        let total = self.total().objectif_periode;
        Some(format!(
            "Objectifs de la période : ceux de l'année {annee} au prorata de ses jours ({}), au dixième ; les dixièmes sont répartis au plus fort reste pour que la colonne fasse le total ({}) : une ligne peut différer d'un dixième de son propre prorata.",
            crate::format::pourcentage_fr(part, 1),
            crate::format::logements_fr(total, 1)
        ))
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

/// The causes of a chute, as the bilan lists them (« valoriser les propositions refusées »).
pub const CAUSES_DE_CHUTE: [(&str, &str); 4] = [
    ("refus", "Refus du candidat"),
    ("non_attribution", "Non-attribution en CALEOL"),
    ("reprise", "Reprise par le bailleur"),
    ("reorientation", "Réorientation"),
];

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
    let mut obj = objectifs::objectifs(d, &groupes, o.periode.annee)?;
    // A period across two years: the other year's objectives too, pro rata of its days.
    for annee in o.periode.autres_annees() {
        let autre = objectifs::objectifs(d, &groupes, annee)?;
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

/// Today's date (UTC).
pub fn aujourd_hui() -> Date {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    Date::new(1970, 1, 1).and_then(|d| d.add_days((secs / 86_400) as i64)).unwrap_or(Date {
        year: 2026,
        month: 1,
        day: 1,
    })
}
