//! The CIA objectives of a bilan (domaine.md, « Attribution objectives (CIA, CCH L.441-1) »):
//! each réservataire's leases to publics prioritaires (DALO apart) against its objective; for
//! the EPCI and each bailleur, the leases outside QPV to first-quartile households (or relogés
//! ANRU/NPNRU, ORCOD) and the leases in QPV to quartiles 2 to 4, against the CIA's rates. Every
//! lease signed in the period counts, flux and hors flux, by the dwelling's QPV; a household
//! not filled in (or whose label is still to map) is counted apart, never assumed.

use super::bilan::{AlerteBilan, Periode};
use super::{HorsFlux, MiseADisposition};
use crate::model::{Public, Quartile, ReglagesCia, Regle, Reservataire};
use serde::Serialize;
use std::collections::BTreeMap;

/// Leases to publics prioritaires, against an objective.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Prioritaires {
    pub baux: u64,
    pub attributions_prioritaires: u64,
    pub dont_dalo: u64,
    pub non_renseignes: u64,
    /// prioritaires / (baux − non renseignés); `None` when no household is known.
    pub part: Option<f64>,
    /// `None` where the law and the CIA set none.
    pub objectif: Option<f64>,
    /// The base of the share: the leases whose household is known (baux − non renseignés),
    /// and whether it is enough to read the share against the objective ([`base_suffisante`]).
    pub menages_renseignes: u64,
    pub base_suffisante: bool,
}

/// The least share of the leases whose household must be known for a CIA share to be read
/// against its objective: below, the share is printed with its base and said « indicatif »,
/// never « atteint » (window review: « 100 % » from 1 household known of 41 leases).
pub const BASE_MINIMALE: f64 = 0.5;

/// Whether `renseignes` households known of `baux` leases make a share to read against its
/// objective (at least half of the leases).
pub fn base_suffisante(renseignes: u64, baux: u64) -> bool {
    baux > 0 && renseignes as f64 + 1e-9 >= BASE_MINIMALE * baux as f64
}

/// The base of a CIA share as every output prints it next to the share: « 1 ménage renseigné
/// sur 41 baux — part indicative, moins de la moitié des ménages renseignés » when too small.
pub fn base_dite(renseignes: u64, baux: u64) -> String {
    let mut m = base_en_mots(renseignes, baux);
    if renseignes > 0 && !base_suffisante(renseignes, baux) {
        m.push_str(" — part indicative, moins de la moitié des ménages renseignés");
    }
    m
}

/// The base of a CIA share in words: « 1 ménage renseigné sur 41 baux ».
pub fn base_en_mots(renseignes: u64, baux: u64) -> String {
    let s = if renseignes > 1 { "s" } else { "" };
    format!(
        "{} ménage{s} renseigné{s} sur {} {}",
        crate::format::entier(renseignes),
        crate::format::entier(baux),
        if baux > 1 { "baux" } else { "bail" }
    )
}

impl Prioritaires {
    fn compter(&mut self, m: &MiseADisposition) {
        self.baux += 1;
        match m.menage.public.valeur() {
            Some(p) if p.est_prioritaire() => {
                self.attributions_prioritaires += 1;
                if p == Public::Dalo {
                    self.dont_dalo += 1;
                }
            }
            Some(_) => {}
            None => self.non_renseignes += 1,
        }
    }

    fn conclure(&mut self, objectif: Option<f64>) {
        let connus = self.baux - self.non_renseignes;
        self.part = (connus > 0).then(|| self.attributions_prioritaires as f64 / connus as f64);
        self.objectif = objectif;
        self.menages_renseignes = connus;
        self.base_suffisante = base_suffisante(connus, self.baux);
    }

    /// The objective is set and measured, and not met.
    pub fn manque(&self) -> bool {
        matches!((self.part, self.objectif), (Some(p), Some(o)) if p + 1e-9 < o)
    }
}

/// The leases outside QPV and those in QPV, by quartile, against the CIA's rates.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HorsQpv {
    pub baux: u64,
    /// First-quartile households, and those relogés in an ANRU/NPNRU or ORCOD operation.
    pub premier_quartile: u64,
    pub non_renseignes: u64,
    pub part: Option<f64>,
    pub objectif: f64,
    /// Of `premier_quartile`, the households relogés (ANRU/NPNRU, ORCOD) whose quartile the
    /// register does not say: they count whatever their quartile, but measure nothing alone.
    #[serde(skip)]
    pub relogements_sans_quartile: u64,
    /// The leases whose quartile the register says: none, and no share is computed (the
    /// relogés alone are a count, never a share of 100 %).
    #[serde(skip)]
    pub quartiles_connus: u64,
    /// The base of the share (baux − non renseignés) and whether it is enough to read it.
    pub menages_renseignes: u64,
    pub base_suffisante: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EnQpv {
    pub baux: u64,
    pub quartiles_2_4: u64,
    pub non_renseignes: u64,
    pub part: Option<f64>,
    pub objectif: f64,
    /// The base of the share (baux − non renseignés) and whether it is enough to read it.
    pub menages_renseignes: u64,
    pub base_suffisante: bool,
}

fn part(n: u64, baux: u64, non_renseignes: u64) -> Option<f64> {
    let connus = baux - non_renseignes;
    (connus > 0).then(|| n as f64 / connus as f64)
}

/// The quartile objectives of one bailleur (or of the EPCI), and the bailleur's own leases.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CiaBailleur {
    pub bailleur: String,
    pub hors_qpv: HorsQpv,
    pub qpv: EnQpv,
    /// Its non-réservé leases (and those after a reprise) to publics prioritaires.
    pub propres: Prioritaires,
}

/// The CIA section of a bilan.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Cia {
    pub hors_qpv: HorsQpv,
    pub qpv: EnQpv,
    /// The bailleurs' own leases (non réservés, after a reprise) to publics prioritaires.
    pub propres: Prioritaires,
    /// Each bailleur apart (a consolidated bilan).
    pub bailleurs: Vec<CiaBailleur>,
    /// Whether the registers say the household of at least one lease of the period: when
    /// not, the objectives are « non renseignés » (no alert).
    pub renseigne: bool,
}

impl CiaBailleur {
    fn compter(&mut self, m: &MiseADisposition) {
        let relogement = matches!(m.hors_flux, Some(HorsFlux::Relogements | HorsFlux::Orcod));
        let q = m.menage.quartile.valeur();
        if m.qpv {
            self.qpv.baux += 1;
            match q {
                Some(Quartile::Q1) => {}
                Some(_) => self.qpv.quartiles_2_4 += 1,
                None => self.qpv.non_renseignes += 1,
            }
        } else {
            self.hors_qpv.baux += 1;
            self.hors_qpv.quartiles_connus += u64::from(q.is_some());
            match q {
                None if relogement => {
                    self.hors_qpv.premier_quartile += 1;
                    self.hors_qpv.relogements_sans_quartile += 1;
                }
                _ if relogement => self.hors_qpv.premier_quartile += 1,
                Some(Quartile::Q1) => self.hors_qpv.premier_quartile += 1,
                Some(_) => {}
                None => self.hors_qpv.non_renseignes += 1,
            }
        }
        if est_propre(m) {
            self.propres.compter(m);
        }
    }

    fn conclure(&mut self, r: &ReglagesCia) {
        let h = &mut self.hors_qpv;
        // No quartile said of any lease outside QPV: nothing measured, whatever the relogés.
        h.part = (h.quartiles_connus > 0).then(|| part(h.premier_quartile, h.baux, h.non_renseignes)).flatten();
        h.objectif = r.quartile1;
        h.menages_renseignes = h.baux - h.non_renseignes;
        h.base_suffisante = h.part.is_some() && base_suffisante(h.menages_renseignes, h.baux);
        let q = &mut self.qpv;
        q.part = part(q.quartiles_2_4, q.baux, q.non_renseignes);
        q.objectif = r.qpv;
        q.menages_renseignes = q.baux - q.non_renseignes;
        q.base_suffisante = base_suffisante(q.menages_renseignes, q.baux);
        self.propres.conclure(r.objectif_prioritaires(Reservataire::NON_RESERVE.as_str()));
    }

    fn alertes(&self, qui: &str, out: &mut Vec<AlerteBilan>) {
        let pct = |x: f64| crate::format::pourcentage_fr(x, 0);
        if let Some(p) = self.hors_qpv.part
            && p + 1e-9 < self.hors_qpv.objectif
        {
            out.push(AlerteBilan {
                regle: Regle::Quartile1HorsQpvSousObjectif,
                reservataire: None,
                detail: format!(
                    "{qui} : {} des {} baux signés hors QPV dont le ménage est connu vont au premier quartile (ou à un relogement ANRU, ORCOD), {} pour un objectif de {}",
                    self.hors_qpv.premier_quartile,
                    self.hors_qpv.baux - self.hors_qpv.non_renseignes,
                    pct(p),
                    pct(self.hors_qpv.objectif)
                ),
            });
        }
        if let Some(p) = self.qpv.part
            && p + 1e-9 < self.qpv.objectif
        {
            out.push(AlerteBilan {
                regle: Regle::QpvQuartiles24SousObjectif,
                reservataire: None,
                detail: format!(
                    "{qui} : {} des {} baux signés en QPV dont le ménage est connu vont aux quartiles 2 à 4, {} pour un objectif de {}",
                    self.qpv.quartiles_2_4,
                    self.qpv.baux - self.qpv.non_renseignes,
                    pct(p),
                    pct(self.qpv.objectif)
                ),
            });
        }
        if self.propres.manque() {
            out.push(alerte_prioritaires(
                &format!("{qui} (baux non réservés)"),
                Reservataire::NON_RESERVE.as_str(),
                &self.propres,
            ));
        }
    }
}

/// A lease of the bailleur's own: a non-réservé dwelling, or one the bailleur took back from
/// the réservataire (issue « reprise ») and let itself.
fn est_propre(m: &MiseADisposition) -> bool {
    m.hors_flux.is_none()
        && (m.reservataire.as_deref() == Some(Reservataire::NON_RESERVE.as_str())
            || m.etapes.issue == super::Issue::Reprise)
}

/// The alert of a réservataire (or of the bailleur's own leases) behind on publics prioritaires.
pub fn alerte_prioritaires(qui: &str, id: &str, p: &Prioritaires) -> AlerteBilan {
    let pct = |x: f64| crate::format::pourcentage_fr(x, 0);
    AlerteBilan {
        regle: Regle::PrioritairesSousObjectif,
        reservataire: Some(Reservataire::new(id)),
        detail: format!(
            "{qui} : {} des {} baux dont le ménage est connu vont à des publics prioritaires (dont {} DALO), {} pour un objectif de {}",
            p.attributions_prioritaires,
            p.baux - p.non_renseignes,
            p.dont_dalo,
            p.part.map(pct).unwrap_or_default(),
            p.objectif.map(pct).unwrap_or_default()
        ),
    }
}

/// The leases signed in the period (flux and hors flux), by réservataire (publics prioritaires)
/// and for the EPCI and each bailleur (quartiles); and the alerts of the objectives not met.
pub fn calculer(
    mads: &[MiseADisposition],
    p: &Periode,
    r: &ReglagesCia,
    consolide: bool,
) -> (Cia, BTreeMap<Reservataire, Prioritaires>, Vec<AlerteBilan>) {
    let mut total = CiaBailleur::default();
    let mut par_bailleur: BTreeMap<&str, CiaBailleur> = BTreeMap::new();
    let mut par_reservataire: BTreeMap<&Reservataire, Prioritaires> = BTreeMap::new();
    let mut renseigne = false;
    for m in mads.iter().filter(|m| p.contient(m.etapes.date_bail)) {
        renseigne |= m.menage != Default::default();
        total.compter(m);
        let b = par_bailleur.entry(m.bailleur.as_str()).or_default();
        if b.bailleur.is_empty() {
            b.bailleur = m.bailleur.clone();
        }
        b.compter(m);
        if m.hors_flux.is_none()
            && !est_propre(m)
            && let Some(id) = &m.reservataire
        {
            par_reservataire.entry(id).or_default().compter(m);
        }
    }
    let mut par_reservataire: BTreeMap<Reservataire, Prioritaires> =
        par_reservataire.into_iter().map(|(id, x)| (id.clone(), x)).collect();
    total.conclure(r);
    for b in par_bailleur.values_mut() {
        b.conclure(r);
    }
    for (id, x) in par_reservataire.iter_mut() {
        x.conclure(r.objectif_prioritaires(id));
    }
    let mut alertes = Vec::new();
    if renseigne {
        for (id, x) in &par_reservataire {
            if x.manque() {
                alertes.push(alerte_prioritaires(&crate::consolidate::libelle_reservataire(id), id, x));
            }
        }
        if consolide {
            total.alertes("EPCI", &mut alertes);
            for b in par_bailleur.values() {
                b.alertes(&b.bailleur, &mut alertes);
            }
        } else if let Some(b) = par_bailleur.values().next() {
            b.alertes(&b.bailleur, &mut alertes);
        }
    }
    if !renseigne {
        // No household in the registers: nothing measured (a relogement ANRU alone is no share).
        for b in std::iter::once(&mut total).chain(par_bailleur.values_mut()) {
            b.hors_qpv.part = None;
            b.qpv.part = None;
            b.propres.part = None;
        }
    }
    let cia = Cia {
        hors_qpv: total.hors_qpv,
        qpv: total.qpv,
        propres: total.propres,
        bailleurs: if consolide { par_bailleur.into_values().collect() } else { vec![] },
        renseigne,
    };
    (cia, par_reservataire, alertes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Date, Etapes, Financement, Issue, Lu, Menage, TypologieGrille};

    /// A lease signed on 1 March 2024 by bailleur `b`, outside QPV unless `qpv`.
    fn bail(id: i64, b: &str, reservataire: Option<&str>, qpv: bool, quartile: Option<Quartile>) -> MiseADisposition {
        MiseADisposition {
            id,
            bailleur: b.into(),
            reference: format!("L{id}"),
            commune: "06004".into(),
            epci: "240600585".into(),
            typologie: TypologieGrille::T3,
            financement: Financement::Plus,
            qpv,
            annee_construction: None,
            reservataire: reservataire.map(Reservataire::new),
            hors_flux: None,
            etapes: Etapes { date_bail: Date::new(2024, 3, 1), issue: Issue::BailSigne, ..Default::default() },
            signalement: None,
            menage: Menage { public: Default::default(), quartile: quartile.map(Lu::Valeur).unwrap_or_default() },
        }
    }

    fn relogement(id: i64, b: &str) -> MiseADisposition {
        let mut m = bail(id, b, None, false, None);
        m.hors_flux = Some(HorsFlux::Relogements);
        m
    }

    /// Review 2, A9: a bailleur whose register says no quartile (its 4 relogés ANRU count
    /// whatever their quartile) has no share — never 100 % — in the consolidated bilan as in
    /// its own; the EPCI's share counts the relogés with the leases whose quartile is said.
    #[test]
    fn relogés_alone_measure_no_share() {
        let periode = Periode::new(2024, None, None, None).unwrap();
        // HA: 4 relogés ANRU and 6 leases outside QPV, no household said; 2 leases in QPV.
        let mut mads: Vec<MiseADisposition> = (1..=4).map(|i| relogement(i, "HA")).collect();
        mads.extend((5..=10).map(|i| bail(i, "HA", Some("etat"), false, None)));
        mads.extend((11..=12).map(|i| bail(i, "HA", Some("etat"), true, None)));
        // TB: 4 leases outside QPV, quartiles said: Q1, Q2, Q3, Q4.
        for (i, q) in [Quartile::Q1, Quartile::Q2, Quartile::Q3, Quartile::Q4].into_iter().enumerate() {
            mads.push(bail(20 + i as i64, "TB", Some("action-logement"), false, Some(q)));
        }
        let r = ReglagesCia::default();
        let (cia, _, alertes) = calculer(&mads, &periode, &r, true);
        let ha = cia.bailleurs.iter().find(|b| b.bailleur == "HA").unwrap();
        assert_eq!((ha.hors_qpv.baux, ha.hors_qpv.premier_quartile, ha.hors_qpv.non_renseignes), (10, 4, 6));
        assert_eq!((ha.hors_qpv.part, ha.hors_qpv.relogements_sans_quartile), (None, 4));
        assert_eq!((ha.qpv.baux, ha.qpv.non_renseignes, ha.qpv.part), (2, 2, None));
        let tb = cia.bailleurs.iter().find(|b| b.bailleur == "TB").unwrap();
        assert_eq!(tb.hors_qpv.part, Some(0.25));
        // The EPCI: 14 leases outside QPV, 6 not said; 4 relogés + 1 Q1 of the 8 others.
        assert_eq!((cia.hors_qpv.baux, cia.hors_qpv.premier_quartile, cia.hors_qpv.non_renseignes), (14, 5, 6));
        assert_eq!(cia.hors_qpv.part, Some(5.0 / 8.0));
        // No alert for HA (nothing measured), none for TB (25 % met) nor for the EPCI.
        assert!(alertes.iter().all(|a| a.regle != Regle::Quartile1HorsQpvSousObjectif), "{alertes:?}");
        // HA's own bilan says the same: no share.
        let seul: Vec<MiseADisposition> = mads.iter().filter(|m| m.bailleur == "HA").cloned().collect();
        let (cia_ha, _, alertes) = calculer(&seul, &periode, &r, false);
        assert!(!cia_ha.renseigne && alertes.is_empty());
        assert_eq!((cia_ha.hors_qpv.premier_quartile, cia_ha.hors_qpv.part), (4, None));
    }

    /// Window review: « 100 % » of publics prioritaires from 1 household known of 41 leases.
    /// The base goes with every share (JSON `menages_renseignes`, `base_suffisante`), and below
    /// half of the households known the share is indicative, never « atteint ».
    #[test]
    fn every_share_has_its_base() {
        let periode = Periode::new(2024, None, None, None).unwrap();
        // Action Logement: 41 leases outside QPV, one household known: DALO, first quartile.
        let mut mads: Vec<MiseADisposition> =
            (1..=41).map(|i| bail(i, "HA", Some("action-logement"), false, None)).collect();
        mads[0].menage = Menage { public: Lu::Valeur(Public::Dalo), quartile: Lu::Valeur(Quartile::Q1) };
        let (cia, prioritaires, _) = calculer(&mads, &periode, &ReglagesCia::default(), false);
        let al = &prioritaires["action-logement"];
        assert_eq!((al.baux, al.attributions_prioritaires, al.non_renseignes), (41, 1, 40));
        assert_eq!((al.part, al.menages_renseignes, al.base_suffisante), (Some(1.0), 1, false));
        assert_eq!(
            base_dite(al.menages_renseignes, al.baux),
            "1 ménage renseigné sur 41 baux — part indicative, moins de la moitié des ménages renseignés"
        );
        let h = &cia.hors_qpv;
        assert_eq!(
            (h.baux, h.premier_quartile, h.part, h.menages_renseignes, h.base_suffisante),
            (41, 1, Some(1.0), 1, false)
        );
        // 20 of 41 known: still under half; 21 of 41: the share is read against its objective.
        for m in mads.iter_mut().take(20).skip(1) {
            m.menage.public = Lu::Valeur(Public::NonPrioritaire);
        }
        let (_, p, _) = calculer(&mads, &periode, &ReglagesCia::default(), false);
        let al = &p["action-logement"];
        assert_eq!((al.menages_renseignes, al.base_suffisante, al.part), (20, false, Some(1.0 / 20.0)));
        mads[20].menage.public = Lu::Valeur(Public::NonPrioritaire);
        let (_, p, _) = calculer(&mads, &periode, &ReglagesCia::default(), false);
        let al = &p["action-logement"];
        assert_eq!((al.menages_renseignes, al.base_suffisante, al.part), (21, true, Some(1.0 / 21.0)));
        assert_eq!(base_dite(21, 41), "21 ménages renseignés sur 41 baux");
        assert_eq!(base_dite(1, 1), "1 ménage renseigné sur 1 bail");
    }

    /// Review 2, B13: the bailleur's own objective counts its non-réservé leases, those after a
    /// reprise included (the libération taken back from Action Logement and let by the
    /// bailleur); a lease outside the flux is no réservataire's and not the bailleur's own.
    #[test]
    fn the_bailleurs_own_leases_after_a_reprise() {
        let periode = Periode::new(2024, None, None, None).unwrap();
        let mut repris = bail(1, "HA", Some("action-logement"), false, None);
        repris.etapes.date_bail = None;
        repris.etapes.issue = Issue::Reprise;
        let mut apres = bail(2, "HA", Some(Reservataire::NON_RESERVE.as_str()), false, Some(Quartile::Q2));
        apres.menage.public = Lu::Valeur(Public::Dalo);
        let mut propre = bail(3, "HA", Some(Reservataire::NON_RESERVE.as_str()), true, Some(Quartile::Q3));
        propre.menage.public = Lu::Valeur(Public::NonPrioritaire);
        let mut mutation = bail(4, "HA", None, false, Some(Quartile::Q1));
        mutation.hors_flux = Some(HorsFlux::Mutations);
        mutation.menage.public = Lu::Valeur(Public::NonPrioritaire);
        let (cia, prioritaires, alertes) =
            calculer(&[repris, apres, propre, mutation], &periode, &ReglagesCia::default(), false);
        // 2 own leases, 1 DALO: 50 % for 25 %, met; Action Logement has no lease.
        let p = &cia.propres;
        assert_eq!((p.baux, p.attributions_prioritaires, p.dont_dalo, p.non_renseignes), (2, 1, 1, 0));
        assert_eq!((p.part, p.objectif), (Some(0.5), Some(0.25)));
        assert!(!prioritaires.contains_key("action-logement"));
        assert!(alertes.is_empty(), "{alertes:?}");
        // Outside QPV: the lease after the reprise (Q2) and the mutation (Q1): 1 of 2.
        assert_eq!((cia.hors_qpv.baux, cia.hors_qpv.premier_quartile, cia.hors_qpv.part), (2, 1, Some(0.5)));
    }
}
