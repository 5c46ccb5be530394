//! The data of a departmental annex: the departmental flux of the bailleur, the réservataire's
//! share and its breakdown by EPCI and commune.

use super::donnees::ajouter;
use super::{Annexe, PerimetreAnnexe, ids_de};
use crate::consolidate::{Cube, Filtre, Grille, libelle_reservataire, nom_epci};
use crate::export::ExportError;
use crate::model::Reservataire;
use crate::reference::reference;
use crate::store::Dossier;

/// The departmental annex of a departmental convention (the State, its agents, Action
/// Logement, the département, the région…): the departmental flux, the réservataire's share and
/// its breakdown by EPCI and commune.
pub fn calculer_annexe_departementale(
    d: &Dossier,
    reservataire: &str,
    departement: &str,
    bailleur: Option<&str>,
    annee: Option<i32>,
) -> Result<Annexe, ExportError> {
    reference().departement(departement).ok_or_else(|| {
        ExportError::Donnees(format!("département inconnu « {departement} » : attendu un code comme 06, 83 ou 2A"))
    })?;
    if !crate::flux::est_departemental(reservataire) {
        return Err(ExportError::Donnees(format!(
            "{} signe sa convention sur sa commune ou son EPCI : l'annexe départementale est celle des conventions départementales (État, Action Logement, département…)",
            libelle_reservataire(reservataire)
        )));
    }
    let cube = Cube::load(d)?;
    let annee = annee.unwrap_or(d.date_reference().year);
    let bailleur = match bailleur {
        Some(b) => b.to_string(),
        None => {
            let mut noms: Vec<String> = cube
                .counts_by(&Filtre::default(), None, crate::consolidate::Dimension::Bailleur)
                .into_iter()
                .map(|(b, _)| b.to_string())
                .filter(|b| {
                    crate::flux::epcis_du_departement(d, b, departement).map(|e| !e.is_empty()).unwrap_or(false)
                })
                .collect();
            noms.sort();
            noms.dedup();
            match noms.len() {
                1 => noms.remove(0),
                0 => return Err(ExportError::Donnees(format!("aucun logement dans le département {departement}"))),
                _ => {
                    return Err(ExportError::Donnees(format!(
                        "une convention lie un bailleur et un réservataire : précisez le bailleur (dans le département : {})",
                        noms.join(", ")
                    )));
                }
            }
        }
    };
    let flux = crate::flux::flux_du_departement(d, &bailleur, departement, annee)?.ok_or_else(|| {
        ExportError::Donnees(format!("aucun logement de « {bailleur} » dans le département {departement}"))
    })?;
    let p = crate::flux::parametres_du_departement(d, &bailleur, departement, annee)?;
    // Nothing ever saved, neither for the département nor for any of its EPCIs: an annex of 0
    // logement is not a document to sign.
    let dep_jamais = d
        .parametres_du_flux::<crate::flux::FluxParametres>(
            &bailleur,
            &crate::flux::cle_departement(departement),
            annee,
        )?
        .is_none();
    if dep_jamais {
        let mut aucun = true;
        for e in flux.epcis.iter().filter_map(|x| x.epci.as_deref()) {
            if crate::flux::parametres_de_l_annee(d, &bailleur, e, annee)?.existe() {
                aucun = false;
            }
        }
        if aucun {
            let lieu = format!(
                "le {} (ni pour le département ni pour aucun de ses EPCI)",
                crate::format::le_departement(departement)
            );
            return Err(ExportError::Donnees(super::refus_flux_non_enregistre(
                &bailleur,
                annee,
                &lieu,
                &format!("--departement {departement}"),
                &format!(
                    "écran Flux annuel, bailleur « {bailleur} », chacun de ses EPCI du département, année {annee}, taux de rotation, puis « Enregistrer les paramètres »"
                ),
            )));
        }
    }
    let enregistre = crate::flux::departement_enregistre(d, &bailleur, departement, annee)?;
    // Without a departmental flux saved, the département's is the sum of its EPCIs' flux: saved
    // when each EPCI's was saved for the year.
    let mut epcis_sans = vec![];
    for e in flux.epcis.iter().filter_map(|x| x.epci.clone()) {
        if !d.parametres_du_flux_enregistres(&bailleur, &e, annee)? {
            epcis_sans.push(nom_epci(&e));
        }
    }
    let saisis = enregistre || epcis_sans.is_empty();
    let part = flux.part(reservataire).cloned();
    let ids = ids_de(reservataire);
    let stock_agents = if reservataire == Reservataire::ETAT {
        flux.part(&Reservataire::FONCTIONNAIRES).map(|r| r.stock).unwrap_or(0)
    } else {
        0
    };
    let stock = part.as_ref().map(|r| r.stock).unwrap_or(0);
    // The grid on the département: the bailleur's EPCIs of the département.
    let mut grille = Grille::default();
    for e in flux.epcis.iter().filter_map(|x| x.epci.clone()) {
        for id in &ids {
            let f = Filtre {
                reservataire: Some(Reservataire::new(id.to_string())),
                bailleur: Some(bailleur.clone()),
                epci: Some(e.clone()),
                ..Default::default()
            };
            ajouter(&mut grille, cube.grille(&f));
        }
    }
    let epcis: Vec<String> = flux.epcis.iter().filter_map(|x| x.epci.clone()).collect();
    let couverture = crate::export::couverture_du_departement(d, &bailleur, departement, &epcis)?;
    Ok(Annexe {
        couverture,
        reservataire: Reservataire::new(reservataire),
        coordonnees: d.coordonnees_du_bailleur(&bailleur)?,
        decompte: crate::suivi::etape_decompte(d, &bailleur, reservataire),
        regle_delai: crate::suivi::regle_delai(d, &bailleur, reservataire),
        annee,
        date_reference: d.date_reference().to_string(),
        perimetre: PerimetreAnnexe::Departement(departement.to_string()),
        libelle_perimetre: format!("le {}", crate::format::le_departement(departement)),
        parc: flux.parc,
        exclusions: flux.exclusions.clone(),
        exclus: flux.exclus,
        assiette: flux.assiette,
        stock,
        stock_agents,
        grille,
        flux_perimetre: flux.flux,
        logements: ids.iter().map(|id| flux.logements(id)).sum(),
        part,
        flux,
        saisis: saisis || (p.saisis() && p.annee_source.is_none()),
        annee_source: if saisis { None } else { p.annee_source },
        departement_gouvernant: Some(departement.to_string()),
        departement_enregistre: enregistre,
        epcis_sans_parametres: epcis_sans,
        bailleur,
    })
}
