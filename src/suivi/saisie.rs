//! The mises à disposition typed in the window: declared for a dwelling of the dossier, then
//! followed step by step (registers imported from a bailleur change by importing them again).

use super::echeance_de;
use super::types::{Declaration, Evenement, Result, SuiviError};
use crate::model::{Date, DecisionCal, Etapes, Issue, MiseADisposition};
use crate::store::Dossier;

/// Records an event on a mise à disposition typed in the window (registers imported from a
/// bailleur are changed by importing their new version).
pub fn noter(d: &Dossier, id: i64, e: Evenement, date: Date) -> Result<()> {
    let introuvable = || {
        SuiviError::Donnees(format!(
            "mise à disposition n° {id} introuvable parmi celles saisies dans la fenêtre (un registre importé se corrige en réimportant le registre du bailleur)"
        ))
    };
    let mut etapes = d.mise_a_disposition_saisie(id)?.ok_or_else(introuvable)?.etapes;
    match e {
        Evenement::Candidats => {
            etapes.date_candidats = Some(date);
            etapes.candidats = etapes.candidats.or(Some(1));
        }
        Evenement::Attribution => {
            etapes.date_cal = Some(date);
            etapes.decision_cal = Some(DecisionCal::Attribution);
        }
        Evenement::NonAttribution => {
            etapes.date_cal = Some(date);
            etapes.decision_cal = Some(DecisionCal::NonAttribution);
        }
        Evenement::BailSigne => {
            etapes.date_bail = Some(date);
            etapes.issue = Issue::BailSigne;
        }
        Evenement::Reprise => etapes.issue = Issue::Reprise,
    }
    if !d.modifier_etapes_saisies(id, &etapes)? {
        return Err(introuvable());
    }
    Ok(())
}

/// Records the household of a mise à disposition typed in the window (publics prioritaires,
/// DALO, resources quartile: the CIA objectives), as a register row carries it; `None` is
/// « non renseigné », counted apart.
pub fn noter_menage(
    d: &Dossier,
    id: i64,
    public: Option<crate::model::Public>,
    quartile: Option<crate::model::Quartile>,
) -> Result<()> {
    use crate::model::{Lu, Menage};
    let m = Menage {
        public: public.map(Lu::Valeur).unwrap_or(Lu::NonRenseigne),
        quartile: quartile.map(Lu::Valeur).unwrap_or(Lu::NonRenseigne),
    };
    if !d.modifier_menage_saisi(id, &m)? {
        return Err(SuiviError::Donnees(format!(
            "mise à disposition n° {id} introuvable parmi celles saisies dans la fenêtre (un registre importé se corrige en réimportant le registre du bailleur)"
        )));
    }
    Ok(())
}

/// The mises à disposition typed in the window, newest first.
pub fn saisies(d: &Dossier) -> Result<Vec<MiseADisposition>> {
    let mut all = d.mises_a_disposition_saisies()?;
    all.sort_by_key(|m| std::cmp::Reverse((m.etapes.date_mise_a_disposition, m.id)));
    Ok(all)
}

/// Saves a declared mise à disposition of a dwelling of the dossier; returns the reply
/// deadline its convention sets.
pub fn declarer(d: &Dossier, x: &Declaration) -> Result<Option<Date>> {
    if x.reservataire.is_none() && x.hors_flux.is_none() {
        return Err(SuiviError::Donnees("choisissez le réservataire, ou la catégorie hors flux".into()));
    }
    let mut m = logement(d, &x.bailleur, &x.reference)?.ok_or_else(|| {
        SuiviError::Donnees(format!("Logement inconnu : « {}:{} » n'est pas dans le dossier", x.bailleur, x.reference))
    })?;
    m.reservataire = x.reservataire.clone();
    m.hors_flux = x.hors_flux;
    m.etapes.date_liberation = x.liberation;
    m.etapes.preavis = Some(x.preavis);
    m.etapes.date_mise_a_disposition = Some(x.mise_a_disposition);
    d.enregistrer_mise_a_disposition(&m)?;
    Ok(echeance_de(d, &m))
}

/// The dwelling of the dossier behind `BAILLEUR:REFERENCE`, as a mise à disposition starts.
pub fn logement(d: &Dossier, bailleur: &str, reference: &str) -> Result<Option<MiseADisposition>> {
    Ok(d.logement_actif(bailleur, reference)?.map(|l| MiseADisposition {
        id: 0,
        bailleur: bailleur.to_string(),
        reference: reference.to_string(),
        commune: l.commune,
        epci: l.epci,
        typologie: l.typologie_grille,
        financement: l.financement,
        qpv: l.qpv,
        annee_construction: l.annee_construction,
        reservataire: None,
        hors_flux: None,
        etapes: Etapes::default(),
        signalement: None,
        menage: Default::default(),
    }))
}
