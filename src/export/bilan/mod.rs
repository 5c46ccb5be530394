//! The bilan of a period as a document to send: a workbook (the consolidation, one sheet per
//! réservataire, the regulatory breakdown as a table ready for pivoting, the libérations
//! outside the flux, the alerts and the register rows set aside) or a PDF to sign that holds
//! the same: the steps, the décomptes, those in progress and the chutes (by cause), the reliquat
//! of the annual bilan, the realised share against the convention rate, the hors-flux leases
//! by category against the forecast, the R.441-5-1 breakdown, the alerts; the bailleur's
//! director general signs it.
//!
//! Shared here: the titles, the rows both documents print and the reference; [`xlsx`] writes
//! the workbook, [`pdf`] the document to sign.

mod pdf;
mod xlsx;

use super::{ExportError, save_workbook};
use crate::consolidate::libelle_reservataire;
use crate::format::{date_fr, entier};
use crate::suivi::bilan::Bilan;
use std::path::Path;

const COLONNES: [&str; 15] = [
    "Réservataire",
    "Décompte",
    "Objectif de l'année",
    "Objectif de la période",
    "Mis à disposition",
    "Avec candidats",
    "Examinés en CALEOL",
    "Attribués",
    "Baux signés",
    "Décomptés",
    "Écart",
    "Conclues par un bail",
    "En cours",
    "Chutes",
    "Taux de chute",
];

/// The title of the convention rate column: a consolidated bilan gives a mean of the
/// bailleurs' conventions weighted by their flux, which no convention states.
fn libelle_taux(b: &Bilan) -> &'static str {
    if b.bailleur.is_none() && b.bailleurs.len() > 1 {
        "Taux moyen pondéré des conventions des bailleurs"
    } else {
        "Taux de la convention"
    }
}

/// What the bilan counts: the flux of the year and the bailleurs' own share, the bailleurs
/// counted and those without a register (left out of the objectives).
fn perimetre_du_bilan(b: &Bilan) -> Vec<String> {
    let objectifs: u64 = b.reservataires.iter().map(|r| r.objectif).sum();
    let mut v = Vec::new();
    if b.reservataire.is_none() {
        let (qui, propre) = match &b.bailleur {
            Some(x) => (crate::format::de(x), "du bailleur"),
            None => ("des bailleurs comptés".into(), "des bailleurs"),
        };
        v.push(format!(
            "Flux {} {qui} : {}, dont part propre {propre} (non réservés) : {}, objectifs des réservataires : {}.",
            b.annee,
            crate::format::logements(b.flux),
            entier(b.non_reserve),
            entier(objectifs)
        ));
    }
    if b.annees.len() > 1 {
        let parts: Vec<String> = b
            .annees
            .iter()
            .map(|(a, f)| format!("{} des objectifs {a}", crate::format::pourcentage_fr(*f, 1)))
            .collect();
        v.push(format!(
            "Période sur plusieurs années : son objectif est la somme, au prorata des jours de chaque année dans la période, de {} ; la colonne « Objectif de l'année » donne ceux de {}.",
            parts.join(" et "),
            b.annee
        ));
    }
    if b.bailleur.is_none() {
        v.push(format!("Bailleurs comptés (objectifs et registres) : {}.", liste(&b.bailleurs)));
    }
    v.extend(b.mention_prorata());
    v.extend(b.mention_sans_registre());
    v
}

fn liste(v: &[String]) -> String {
    if v.is_empty() { "aucun".into() } else { v.join(", ") }
}

/// « 1er semestre 2024 », « année 2024 », « du 01/01/2024 au 30/09/2024 ».
fn periode(b: &Bilan) -> String {
    match b.semestre {
        Some(1) => format!("1er semestre {}", b.annee),
        Some(s) => format!("{s}e semestre {}", b.annee),
        None if b.debut.ends_with("-01-01") && b.fin.ends_with("-12-31") => format!("année {}", b.annee),
        None => format!("du {} au {}", date_fr(&b.debut), date_fr(&b.fin)),
    }
}

fn titre(b: &Bilan) -> String {
    let qui = b.bailleur.clone().unwrap_or_else(|| "tous les bailleurs".into());
    let ou = b.epci.as_deref().map(|e| format!(" — {}", crate::consolidate::nom_epci(e))).unwrap_or_default();
    let pour = b.reservataire.as_deref().map(|r| format!(" — pour {}", libelle_reservataire(r))).unwrap_or_default();
    format!("Bilan du flux — {} — {qui}{ou}{pour}", periode(b))
}

const COLONNES_PRIORITAIRES: [&str; 7] = [
    "Réservataire",
    "Baux signés",
    "Publics prioritaires",
    "dont DALO",
    "Ménage non renseigné",
    "Part (hors non renseignés)",
    "Objectif",
];

const COLONNES_QUARTILES: [&str; 11] = [
    "Périmètre",
    "Baux hors QPV",
    "dont 1er quartile ou relogés ANRU, ORCOD",
    "Non renseignés",
    "Part",
    "Objectif",
    "Baux en QPV",
    "dont quartiles 2 à 4",
    "Non renseignés",
    "Part",
    "Objectif",
];

/// The CIA's publics prioritaires, one row per réservataire with leases or an objective, then
/// the bailleurs' own: (label, leases, prioritaires, DALO, not filled in, share, objective).
type LignePrioritaires = (String, u64, u64, u64, u64, Option<f64>, Option<f64>);

fn lignes_prioritaires(b: &Bilan) -> Vec<LignePrioritaires> {
    let mut v: Vec<LignePrioritaires> = b
        .reservataires
        .iter()
        .filter(|r| r.baux_signes > 0 || r.objectif_prioritaires.is_some())
        .map(|r| {
            (
                libelle_reservataire(&r.id),
                r.baux_signes,
                r.attributions_prioritaires,
                r.dont_dalo,
                r.non_renseignes,
                r.part_prioritaires,
                r.objectif_prioritaires,
            )
        })
        .collect();
    let p = &b.cia.propres;
    // The bailleur's own objective (L.441-1) is shown even at zero leases: a line left out would
    // look like no objective (review 2, B13); never in the bilan sent to one réservataire.
    if b.reservataire.is_none() {
        v.push((
            BAILLEUR_PROPRES.into(),
            p.baux,
            p.attributions_prioritaires,
            p.dont_dalo,
            p.non_renseignes,
            p.part,
            p.objectif,
        ));
        // Each bailleur's own, in a consolidated bilan.
        for x in &b.cia.bailleurs {
            let p = &x.propres;
            v.push((
                format!("   dont {}", x.bailleur),
                p.baux,
                p.attributions_prioritaires,
                p.dont_dalo,
                p.non_renseignes,
                p.part,
                p.objectif,
            ));
        }
    }
    v
}

/// The quartile objectives: the bilan's perimeter first, then each bailleur of a consolidated one.
/// None in the bilan sent to one réservataire (review 4, B3): the quartile objectives are the
/// bailleur's and the EPCI's, not the réservataire's.
fn lignes_quartiles(b: &Bilan) -> Vec<(String, &crate::suivi::cia::HorsQpv, &crate::suivi::cia::EnQpv)> {
    if b.reservataire.is_some() {
        return vec![];
    }
    let tout = match (&b.bailleur, &b.epci) {
        (Some(x), _) => x.clone(),
        (None, Some(e)) => crate::consolidate::nom_epci(e),
        (None, None) => "Tous les bailleurs".into(),
    };
    std::iter::once((tout, &b.cia.hors_qpv, &b.cia.qpv))
        .chain(b.cia.bailleurs.iter().map(|x| (x.bailleur.clone(), &x.hors_qpv, &x.qpv)))
        .collect()
}

/// The bases of the shares printed side by side (review A5): the convention's rate is a share
/// of the whole flux, the bailleurs' own share included; the realised share is measured among
/// the réservataires' décomptes, so it is set against the objective's share of the
/// réservataires' flux.
const BASES_DES_PARTS: &str = "Le taux de la convention est une part du flux entier, part propre du bailleur (non réservés) comprise. La part réalisée est mesurée parmi les décomptes des réservataires de son périmètre, sans les attributions non réservées : elle se compare à la part de l'objectif du réservataire dans le flux des réservataires du même périmètre.";

/// How the steps and the taux de chute are counted: at the head of the PDF and of the workbook's
/// consolidation (casa review: the workbook gave a taux de chute without saying what it is).
const COMPTAGE: &str = "Chaque étape est comptée à sa propre date dans la période ; chaque libération est décomptée une seule fois, à l'étape de sa convention. Le taux de chute porte sur les mises à disposition de la période conclues à sa fin (bail signé, ou fin sans bail : refus, non-attribution, reprise, réorientation) ; celles encore ouvertes sont « en cours », jamais des chutes.";

/// What the columns of the progress table add up to.
const MISES_A_DISPOSITION: &str = "Mises à disposition de la période = conclues par un bail + en cours + chutes ; l'écart compare les décomptés à l'objectif de la période.";

/// The line of the bailleurs' own leases in the CIA table.
const BAILLEUR_PROPRES: &str = "Bailleur : baux non réservés (y compris après une reprise)";

/// The CIA section when no register says the household of any lease of the period (review 2,
/// B10): one line with what was counted, no share, no alert.
fn cia_non_renseignee(b: &Bilan) -> String {
    if b.registre_non_transmis() {
        return "Objectifs de la CIA non mesurables : registre non transmis.".into();
    }
    // The bilan sent to one réservataire speaks of its leases only (review 4, B3), never of
    // the bailleur's.
    if let Some(id) = &b.reservataire {
        let baux: u64 = b.reservataires.iter().filter(|r| &r.id == id).map(|r| r.baux_signes).sum();
        let objectif = b.reservataires.iter().find(|r| &r.id == id).and_then(|r| r.objectif_prioritaires);
        let objectif = match objectif {
            Some(x) => {
                format!(" (objectif : {} de ses baux aux publics prioritaires)", crate::format::pourcentage_fr(x, 0))
            }
            None => String::new(),
        };
        return format!(
            "Objectifs de la CIA non mesurables pour la période : le registre ne dit le ménage (public prioritaire, DALO) d'aucun des {} baux signés pour {}{objectif}. Aucune part n'est calculée ; il faut les colonnes « Public prioritaire » / « DALO » dans le registre.",
            entier(baux),
            libelle_reservataire(id),
        );
    }
    let (h, q) = (&b.cia.hors_qpv, &b.cia.qpv);
    let relogements = match h.relogements_sans_quartile {
        0 => String::new(),
        n => format!(
            ", dont {} d'une opération ANRU/NPNRU ou ORCOD, comptés d'office au premier quartile",
            if n == 1 { "1 relogement".to_string() } else { format!("{} relogements", entier(n)) }
        ),
    };
    format!(
        "Objectifs de la CIA non mesurables pour la période : les registres ne disent le ménage (public prioritaire, quartile de ressources) d'aucun de ses {} baux signés — {} hors QPV{relogements}, {} en QPV. Aucune part n'est calculée et aucune alerte n'est émise ; il faut les colonnes « Public prioritaire » / « DALO » et « Quartile » dans les registres.",
        entier(h.baux + q.baux),
        entier(h.baux),
        entier(q.baux),
    )
}

const CIA_EXPLICATION: &str = "Chaque bail signé dans la période compte, flux et hors flux, selon le QPV du logement ; les ménages non renseignés sont comptés à part et hors de la part. Le premier quartile compte aussi les ménages relogés d'une opération ANRU/NPNRU ou ORCOD, quel que soit leur quartile ; un périmètre dont aucun bail ne dit le quartile n'a pas de part (« — »), ses relogés restant comptés. Les baux propres du bailleur sont ses baux non réservés, y compris ceux qui suivent une reprise ; les libérations hors flux n'y sont pas comptées. Chaque part est écrite avec sa base (ménages renseignés sur baux signés) : quand moins de la moitié des ménages sont renseignés, la part est indicative et ne dit pas si l'objectif est atteint.";

/// The bilan's reference, the same on its workbook and its PDF: bailleur, EPCI (« TOUS » when
/// every EPCI of the dossier is counted), period, and the réservataire it is addressed to.
fn reference(b: &Bilan) -> String {
    reference_de(b.bailleur.as_deref(), b.epci.as_deref(), &b.debut, &b.fin, b.reservataire.as_ref())
}

fn reference_de(
    bailleur: Option<&str>,
    epci: Option<&str>,
    debut: &str,
    fin: &str,
    reservataire: Option<&crate::model::Reservataire>,
) -> String {
    let mut r = format!(
        "BILAN-{}-{}-{debut}-{fin}",
        bailleur.map(crate::text::slug).unwrap_or_else(|| "tous".into()),
        epci.unwrap_or("tous"),
    );
    if let Some(x) = reservataire {
        r.push('-');
        r.push_str(&crate::text::slug(x.as_str()));
    }
    r.to_uppercase()
}

/// The columns of the regulatory breakdown (each réservataire's sheet, and after the
/// réservataire and the INSEE code in the « Ventilation » sheet).
const DETAIL: [&str; 8] = [
    "Commune",
    "Typologie",
    "Financement",
    "QPV",
    "Période de construction",
    "Mis à disposition",
    "Attribués",
    "Baux signés",
];

pub fn export(b: &Bilan, out: &Path) -> Result<(), ExportError> {
    let ext = out.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "xlsx" => {
            let mut wb = xlsx::workbook(b).map_err(|e| ExportError::Donnees(e.to_string()))?;
            save_workbook(&mut wb, out)
        }
        "pdf" => pdf::pdf(b, out),
        "png" | "svg" => Ok(crate::charts::export_bilan(b, out)?),
        _ => Err(ExportError::Donnees(format!(
            "format « {ext} » inconnu : .xlsx ou .pdf pour le bilan, .png ou .svg pour son graphique"
        ))),
    }
}

/// The parties of the bilan: the bailleur's director general (or the EPCI for a consolidated bilan).
fn signataires(b: &Bilan) -> Vec<String> {
    match (&b.bailleur, &b.epci) {
        (Some(x), _) => vec![format!("Le directeur général {}", crate::format::de(x))],
        (None, Some(e)) => vec![format!("Pour l'EPCI {}", crate::consolidate::nom_epci(e))],
        (None, None) => vec!["Pour les bailleurs".into()],
    }
}

#[cfg(test)]
mod tests_reference {
    #[test]
    fn the_reference_names_the_reservataire_a_bilan_is_addressed_to() {
        let r = |x: Option<&str>| {
            let x: Option<crate::model::Reservataire> = x.map(|x| x.parse().unwrap());
            super::reference_de(Some("Habitat Azur"), None, "2024-01-01", "2024-12-31", x.as_ref())
        };
        assert_eq!(r(None), "BILAN-HABITAT-AZUR-TOUS-2024-01-01-2024-12-31");
        assert_eq!(r(Some("etat")), "BILAN-HABITAT-AZUR-TOUS-2024-01-01-2024-12-31-ETAT");
        assert_eq!(r(Some("commune:06004")), "BILAN-HABITAT-AZUR-TOUS-2024-01-01-2024-12-31-COMMUNE-06004");
    }
}
