//! The conventions' settings of the follow-up and the reply deadlines: the step each
//! convention counts at, its deadline rule and its worked holidays (the convention's, else the
//! bailleur's, else the dossier's), the deadline of a mise à disposition, the late answers.

use super::calendrier;
use super::types::{Result, Retard};
use crate::model::{Date, Etape, Issue, MiseADisposition, Reservataire};
use crate::reference::reference;
use crate::store::Dossier;
use std::collections::HashMap;

/// The step a convention (bailleur × réservataire) counts at: its own setting, else the
/// bailleur's, else the dossier's, else `bail_signe`.
pub fn etape_decompte(d: &Dossier, bailleur: &str, reservataire: &str) -> Etape {
    for cle in [format!("decompte:{bailleur}:{reservataire}"), format!("decompte:{bailleur}"), "decompte".to_string()] {
        if let Ok(Some(v)) = d.parametre(&cle)
            && let Some(e) = Etape::parse(&v)
        {
            return e;
        }
    }
    Etape::BailSigne
}

/// How a convention (bailleur × réservataire) sets the reply deadline: its own setting, else
/// the bailleur's, else the dossier's, else the decree's rule (15 jours ouvrés or one month).
pub fn regle_delai(d: &Dossier, bailleur: &str, reservataire: &str) -> calendrier::RegleDelai {
    for cle in [format!("delai:{bailleur}:{reservataire}"), format!("delai:{bailleur}"), "delai".to_string()] {
        if let Ok(Some(v)) = d.parametre(&cle)
            && let Some(r) = parse_regle_delai(&v)
        {
            return r;
        }
    }
    calendrier::RegleDelai::Preavis
}

/// `preavis`, `un_mois` or a number of jours ouvrés.
pub fn parse_regle_delai(s: &str) -> Option<calendrier::RegleDelai> {
    match s.trim() {
        "preavis" => Some(calendrier::RegleDelai::Preavis),
        "un_mois" | "un-mois" | "1 mois" => Some(calendrier::RegleDelai::UnMois),
        n => n.parse::<u32>().ok().filter(|n| (1..=120).contains(n)).map(calendrier::RegleDelai::JoursOuvres),
    }
}

pub(super) fn texte_regle_delai(r: calendrier::RegleDelai) -> String {
    match r {
        calendrier::RegleDelai::Preavis => "preavis".into(),
        calendrier::RegleDelai::UnMois => "un_mois".into(),
        calendrier::RegleDelai::JoursOuvres(n) => n.to_string(),
    }
}

/// A setting of a convention (bailleur × réservataire), else the bailleur's, else the dossier's.
fn reglage(d: &Dossier, nom: &str, bailleur: &str, reservataire: &str) -> Option<String> {
    [format!("{nom}:{bailleur}:{reservataire}"), format!("{nom}:{bailleur}"), nom.to_string()]
        .iter()
        .find_map(|cle| d.parametre(cle).ok().flatten())
}

/// The conventions' settings read once (a bilan asks them for every bailleur × réservataire):
/// the same answers as [`etape_decompte`], [`regle_delai`] and [`calendrier_de_la_convention`].
pub struct ReglagesDesConventions(HashMap<String, String>);

impl ReglagesDesConventions {
    pub fn lire(d: &Dossier) -> Result<Self> {
        Ok(Self(d.reglages_des_conventions()?))
    }

    /// The values of a setting, the convention's first, then the bailleur's, then the dossier's.
    fn valeurs<'a>(&'a self, nom: &str, bailleur: &str, reservataire: &str) -> impl Iterator<Item = &'a String> + 'a {
        let cles = [format!("{nom}:{bailleur}:{reservataire}"), format!("{nom}:{bailleur}"), nom.to_string()];
        cles.into_iter().filter_map(move |c| self.0.get(&c))
    }

    /// Sets a bailleur's own setting (`nom:bailleur`), as a register's import records it.
    pub fn regler(&mut self, nom: &str, bailleur: &str, valeur: &str) {
        self.0.insert(format!("{nom}:{bailleur}"), valeur.to_string());
    }

    pub fn etape(&self, bailleur: &str, reservataire: &str) -> Etape {
        self.valeurs("decompte", bailleur, reservataire).find_map(|v| Etape::parse(v)).unwrap_or(Etape::BailSigne)
    }

    pub fn regle_delai(&self, bailleur: &str, reservataire: &str) -> calendrier::RegleDelai {
        self.valeurs("delai", bailleur, reservataire)
            .find_map(|v| parse_regle_delai(v))
            .unwrap_or(calendrier::RegleDelai::Preavis)
    }

    pub fn calendrier(&self, bailleur: &str, reservataire: &str, departement: Option<&str>) -> calendrier::Calendrier {
        let travaille = |nom| self.valeurs(nom, bailleur, reservataire).next().map(|v| v == "travaille");
        calendrier::Calendrier {
            departement: departement.map(str::to_string),
            lundi_pentecote_travaille: travaille("pentecote").unwrap_or(false),
            vendredi_saint: travaille("vendredi_saint").map(|t| !t),
        }
    }
}

/// The département of a commune (its local holidays).
pub fn departement_de(commune: &str) -> Option<String> {
    reference().commune(commune).map(|c| c.departement.to_string())
}

/// The holidays a convention counts for a dwelling of `departement`: the département's, and the
/// convention's Whit Monday (a holiday unless it says it is worked) and Good Friday (presumed a
/// holiday in Alsace-Moselle).
pub fn calendrier_de_la_convention(
    d: &Dossier,
    bailleur: &str,
    reservataire: &str,
    departement: Option<&str>,
) -> calendrier::Calendrier {
    let oui = |v: Option<String>| v.map(|v| v == "travaille");
    calendrier::Calendrier {
        departement: departement.map(str::to_string),
        lundi_pentecote_travaille: oui(reglage(d, "pentecote", bailleur, reservataire)).unwrap_or(false),
        vendredi_saint: oui(reglage(d, "vendredi_saint", bailleur, reservataire)).map(|travaille| !travaille),
    }
}

/// Records whether a convention works Whit Monday and Good Friday (`reservataire` None: all the
/// bailleur's); `None` leaves a setting as it is.
pub fn enregistrer_jours_de_la_convention(
    d: &Dossier,
    bailleur: &str,
    reservataire: Option<&str>,
    lundi_pentecote_travaille: Option<bool>,
    vendredi_saint_travaille: Option<bool>,
) -> Result<()> {
    let suffixe = match reservataire {
        Some(r) => format!("{bailleur}:{r}"),
        None => bailleur.to_string(),
    };
    for (nom, v) in [("pentecote", lundi_pentecote_travaille), ("vendredi_saint", vendredi_saint_travaille)] {
        if let Some(t) = v {
            d.set_parametre(&format!("{nom}:{suffixe}"), if t { "travaille" } else { "ferie" })?;
        }
    }
    Ok(())
}

/// The reply deadline of a mise à disposition of the dossier: its convention's rule and days, the
/// holidays of the dwelling's département.
pub fn echeance_de(d: &Dossier, m: &MiseADisposition) -> Option<Date> {
    let r = m.reservataire.as_deref().unwrap_or_default();
    let cal = calendrier_de_la_convention(d, &m.bailleur, r, departement_de(&m.commune).as_deref());
    cal.echeance(m.etapes.date_mise_a_disposition?, m.etapes.preavis.unwrap_or(1), regle_delai(d, &m.bailleur, r))
}

/// Records a convention's deadline rule (`reservataire` None: all the bailleur's).
pub fn enregistrer_regle_delai(
    d: &Dossier,
    bailleur: &str,
    reservataire: Option<&str>,
    r: calendrier::RegleDelai,
) -> Result<()> {
    let cle = match reservataire {
        Some(x) => format!("delai:{bailleur}:{x}"),
        None => format!("delai:{bailleur}"),
    };
    d.set_parametre(&cle, &texte_regle_delai(r))?;
    Ok(())
}

/// Records the step a convention counts at (`reservataire` None: all the bailleur's).
pub fn enregistrer_decompte(d: &Dossier, bailleur: &str, reservataire: Option<&str>, e: Etape) -> Result<()> {
    let cle = match reservataire {
        Some(r) => format!("decompte:{bailleur}:{r}"),
        None => format!("decompte:{bailleur}"),
    };
    d.set_parametre(&cle, e.as_str())?;
    Ok(())
}

/// The mises à disposition in progress whose reply deadline (each convention's rule and days,
/// the holidays of the dwelling's département) passed before `date` without candidates.
pub fn retards(
    mads: &[MiseADisposition],
    date: Date,
    regle: &dyn Fn(&MiseADisposition) -> (calendrier::RegleDelai, calendrier::Calendrier),
) -> Vec<Retard> {
    let mut out: Vec<Retard> = mads
        .iter()
        .filter(|m| m.hors_flux.is_none() && m.etapes.issue == Issue::EnCours && m.etapes.date_bail.is_none())
        .filter(|m| {
            m.etapes.date_candidats.is_none() && m.etapes.candidats.unwrap_or(0) == 0 && m.etapes.date_cal.is_none()
        })
        .filter_map(|m| {
            let mad = m.etapes.date_mise_a_disposition?;
            let (r, cal) = regle(m);
            let e = cal.echeance(mad, m.etapes.preavis.unwrap_or(1), r)?;
            (e < date).then(|| Retard {
                bailleur: m.bailleur.clone(),
                reference: m.reference.clone(),
                reservataire: m.reservataire.clone().unwrap_or_else(|| Reservataire::new(String::new())),
                mise_a_disposition: mad,
                echeance: e,
            })
        })
        .collect();
    out.sort_by_key(|r| (r.echeance, r.reference.clone()));
    out
}
