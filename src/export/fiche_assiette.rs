//! The fiche récapitulative du calcul de l'assiette (DDETS 06 form), per bailleur: one column
//! per EPCI on which the bailleur has dwellings, and a total per département; every line of the
//! form always present, at zero when need be, so that the layout is the same for every
//! bailleur. Every figure comes from the flux engine with the saved parameters, as on the flux
//! screen (the EPCI's part of the departmental flux when that governs the year). The State's
//! requests are printed only when they were entered; the justifications are those entered.

use super::{
    ExportError,
    pdf::{Entete, Pdf, date_d_edition},
    save_workbook,
};
use crate::consolidate::nom_epci;
use crate::export::classeur::Typographie;
use crate::flux::{Flux, FluxParametres, groupes_par_epci, parametres};
use crate::model::Reservataire;
use crate::reference::reference;
use crate::store::Dossier;
use crate::store::bailleurs::Coordonnees;
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook};
use std::collections::BTreeMap;
use std::path::Path;

/// The EPCIs on which a bailleur has active dwellings.
pub fn epcis_du_bailleur(d: &Dossier, bailleur: &str) -> Result<Vec<String>, ExportError> {
    Ok(groupes_par_epci(d, bailleur)?.into_keys().collect())
}

/// One column of the form: an EPCI, or the total of a département.
pub struct Colonne {
    pub titre: String,
    /// The flux of the column; its `parametres` are those it was computed with (for an EPCI of
    /// a departmental flux, the département's for the State).
    pub flux: Flux,
    /// The parameters of an EPCI, `None` for a département's total.
    pub parametres: Option<FluxParametres>,
    /// The parameters were saved for the year (else carried over or none).
    pub saisis: bool,
}

/// The fiche of a bailleur: its address and correspondent, and its columns.
pub struct Fiche {
    pub bailleur: String,
    pub annee: i32,
    pub coordonnees: Coordonnees,
    pub colonnes: Vec<Colonne>,
    /// What each departmental total covers when the dossier is not the whole département (its
    /// EPCIs, the dwellings set aside as outside the territory): said once under the form.
    pub couvertures: Vec<String>,
}

/// Computes the flux of each EPCI of the bailleur with its saved parameters, then a total
/// column per département (the departmental flux when it was saved for the year).
pub fn calculs(d: &Dossier, bailleur: &str, annee: i32) -> Result<Vec<Colonne>, ExportError> {
    Ok(calculs_et_couvertures(d, bailleur, annee)?.0)
}

/// [`calculs`], with what each departmental total covers (see [`Fiche::couvertures`]).
fn calculs_et_couvertures(d: &Dossier, bailleur: &str, annee: i32) -> Result<(Vec<Colonne>, Vec<String>), ExportError> {
    let par_epci = groupes_par_epci(d, bailleur)?;
    if par_epci.is_empty() {
        return Err(ExportError::Donnees(format!("aucun logement du bailleur « {bailleur} » dans le dossier")));
    }
    let mut par_dep: BTreeMap<String, Vec<Colonne>> = BTreeMap::new();
    for (e, g) in par_epci {
        let dep = g
            .first()
            .and_then(|g| reference().commune(&g.commune))
            .map(|c| c.departement.to_string())
            .unwrap_or_default();
        let p = parametres(d, bailleur, &e, annee)?;
        let gouverne = crate::flux::departement_gouvernant(d, bailleur, &g, annee)?.is_some();
        let flux = crate::flux::flux_de_l_epci(d, bailleur, &e, annee, &g)?;
        let saisis = gouverne || (p.saisis() && p.annee_source.is_none());
        par_dep.entry(dep).or_default().push(Colonne {
            titre: nom_epci(&e),
            parametres: Some(flux.parametres.clone()),
            flux,
            saisis,
        });
    }
    let mut out = Vec::new();
    let mut couvertures = Vec::new();
    for (dep, cols) in par_dep {
        let epcis: Vec<String> = cols.iter().filter_map(|c| c.flux.epci.clone()).collect();
        let couverture = crate::export::couverture_du_departement(d, bailleur, &dep, &epcis)?;
        let departemental = if crate::flux::departement_enregistre(d, bailleur, &dep, annee)? {
            crate::flux::flux_du_departement(d, bailleur, &dep, annee)?
        } else {
            None
        };
        let total = match departemental {
            Some(f) => Colonne {
                titre: format!("Total du {}", crate::format::le_departement(&dep)),
                flux: f,
                parametres: None,
                saisis: true,
            },
            None => somme(&dep, &cols),
        };
        let mut total = total;
        if let Some(c) = couverture {
            total.titre = format!("Total des EPCI du dossier ({})", crate::format::le_departement(&dep));
            couvertures.push(c);
        }
        out.extend(cols);
        out.push(total);
    }
    Ok((out, couvertures))
}

/// The whole fiche.
pub fn fiche(d: &Dossier, bailleur: &str, annee: i32) -> Result<Fiche, ExportError> {
    let (colonnes, couvertures) = calculs_et_couvertures(d, bailleur, annee)?;
    let mut coordonnees = d.coordonnees_du_bailleur(bailleur)?;
    // The first versions kept the contact with the flux parameters.
    if coordonnees.correspondant.trim().is_empty()
        && let Some(c) =
            colonnes.iter().filter_map(|c| c.parametres.as_ref()).map(|p| p.contact.trim()).find(|c| !c.is_empty())
    {
        coordonnees.correspondant = c.to_string();
    }
    Ok(Fiche { bailleur: bailleur.to_string(), annee, coordonnees, colonnes, couvertures })
}

/// The département column: the sum of its EPCIs (rates recomputed from the sums).
fn somme(dep: &str, cols: &[Colonne]) -> Colonne {
    let mut f = cols[0].flux.clone();
    f.epci = None;
    f.departement = Some(dep.to_string());
    // The State's requests are those of each EPCI: none for the sum.
    f.parametres = FluxParametres::default();
    for c in &cols[1..] {
        let g = &c.flux;
        f.parc += g.parc;
        f.exclus += g.exclus;
        f.assiette += g.assiette;
        f.liberations += g.liberations;
        f.flux += g.flux;
        for (m, n) in &g.exclusions {
            *f.exclusions.entry(m.clone()).or_default() += n;
        }
        for (m, n) in &g.soustraits {
            *f.soustraits.entry(m.clone()).or_default() += n;
        }
        for r in &g.reservataires {
            match f.reservataires.iter_mut().find(|x| x.id == r.id) {
                Some(x) => x.logements += r.logements,
                None => f.reservataires.push(r.clone()),
            }
        }
    }
    f.taux_rotation = if f.assiette > 0 { f.liberations as f64 / f.assiette as f64 } else { 0.0 };
    Colonne {
        titre: format!("Total du {}", crate::format::le_departement(dep)),
        flux: f,
        parametres: None,
        saisis: cols.iter().all(|c| c.saisis),
    }
}

/// A cell of the form. Numbers stay numbers in the workbook.
#[derive(Debug, Clone, PartialEq)]
pub enum Valeur {
    Nombre(f64),
    Texte(String),
    Pourcent(f64),
    Vide,
}

impl Valeur {
    fn texte(&self) -> String {
        match self {
            Valeur::Nombre(x) => crate::format::entier(x.round() as u64),
            Valeur::Pourcent(x) => crate::format::pourcentage(*x),
            Valeur::Texte(s) => s.clone(),
            Valeur::Vide => String::new(),
        }
    }
}

fn oui_non(v: Option<bool>) -> Valeur {
    match v {
        Some(true) => Valeur::Texte("OUI".into()),
        Some(false) => Valeur::Texte("NON".into()),
        None => Valeur::Texte("non renseigné".into()),
    }
}

/// A value per column: each EPCI's and a departmental flux's own; for a département's total
/// that only sums its EPCIs, the value they share, else « selon l'EPCI ».
fn commune_aux_epci(cols: &[Colonne], g: &dyn Fn(&Flux) -> Valeur) -> Vec<Valeur> {
    let mut out = vec![];
    let mut epcis: Vec<Valeur> = vec![];
    for c in cols {
        if c.parametres.is_some() || !c.flux.epcis.is_empty() {
            let v = g(&c.flux);
            if c.parametres.is_some() {
                epcis.push(g(&c.flux));
            } else {
                epcis.clear();
            }
            out.push(v);
            continue;
        }
        let textes: Vec<String> = epcis.iter().map(Valeur::texte).collect();
        out.push(match epcis.first() {
            Some(v) if textes.iter().all(|t| *t == textes[0]) => v.clone(),
            Some(_) => Valeur::Texte("selon l'EPCI".into()),
            None => Valeur::Vide,
        });
        epcis.clear();
    }
    out
}

/// A count that may not have been declared: each EPCI's (« non renseigné » when it was not);
/// for a département's column the sum of its EPCIs when all declared it, else « non
/// renseigné » (none did) or « incomplet » (some did).
fn declare(cols: &[Colonne], g: &dyn Fn(&FluxParametres, &Flux) -> Option<u64>) -> Vec<Valeur> {
    let mut out = vec![];
    let mut epcis: Vec<Option<u64>> = vec![];
    for c in cols {
        match &c.parametres {
            Some(p) => {
                let v = g(p, &c.flux);
                epcis.push(v);
                out.push(v.map(|n| Valeur::Nombre(n as f64)).unwrap_or_else(non_renseigne));
            }
            // A departmental flux: what was declared for the département itself, first.
            None if !c.flux.epcis.is_empty() && g(&c.flux.parametres, &c.flux).is_some() => {
                out.push(
                    g(&c.flux.parametres, &c.flux).map(|n| Valeur::Nombre(n as f64)).unwrap_or_else(non_renseigne),
                );
                epcis.clear();
            }
            None => {
                out.push(if epcis.iter().all(Option::is_some) && !epcis.is_empty() {
                    Valeur::Nombre(epcis.iter().flatten().sum::<u64>() as f64)
                } else if epcis.iter().all(Option::is_none) {
                    non_renseigne()
                } else {
                    Valeur::Texte("incomplet (selon l'EPCI)".into())
                });
                epcis.clear();
            }
        }
    }
    out
}

fn non_renseigne() -> Valeur {
    Valeur::Texte("non renseigné".into())
}

/// « logements en vente… » → « Logements en vente… ».
fn majuscule(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// One line of the form: its label, whether it is a heading (a total), its value per column.
pub struct Ligne {
    pub libelle: String,
    pub total: bool,
    pub valeurs: Vec<Valeur>,
}

/// The rows of the form, in the order of the DDETS 06 form, every one always present.
pub fn lignes(cols: &[Colonne]) -> Vec<Ligne> {
    use crate::flux::*;
    let col = |g: &dyn Fn(&Flux, Option<&FluxParametres>) -> Valeur| {
        cols.iter().map(|c| g(&c.flux, c.parametres.as_ref())).collect::<Vec<_>>()
    };
    let n = |x: u64| Valeur::Nombre(x as f64);
    // An entry of the parameters: each EPCI's; a departmental flux's own (saved for the
    // département); for a département's column that only sums its EPCIs, the value they share,
    // else « selon l'EPCI » (never a blank the DDETS reads as forgotten).
    let param = |g: &dyn Fn(&FluxParametres) -> Valeur| {
        let mut out = vec![];
        let mut epcis: Vec<Valeur> = vec![];
        for c in cols {
            match &c.parametres {
                Some(p) => {
                    epcis.push(g(p));
                    out.push(g(p));
                }
                None if !c.flux.epcis.is_empty() => {
                    out.push(g(&c.flux.parametres));
                    epcis.clear();
                }
                None => {
                    out.push(match epcis.first() {
                        Some(v) if epcis.iter().all(|x| x == v) => v.clone(),
                        Some(_) => Valeur::Texte("selon l'EPCI".into()),
                        None => Valeur::Vide,
                    });
                    epcis.clear();
                }
            }
        }
        out
    };
    let ligne = |libelle: &str, valeurs: Vec<Valeur>| Ligne { libelle: libelle.to_string(), total: false, valeurs };
    let entete = |libelle: &str, valeurs: Vec<Valeur>| Ligne { libelle: libelle.to_string(), total: true, valeurs };
    let excl = |m: &'static str| col(&move |f, _| n(f.exclusions.get(m).copied().unwrap_or(0)));
    let sous = |c: Soustrait| col(&move |f, _| n(f.soustraits.get(c.as_str()).copied().unwrap_or(0)));
    let mut rows = vec![
        ligne("SIREN de l'EPCI", col(&|f, _| Valeur::Texte(f.epci.clone().unwrap_or_default()))),
        ligne(
            "Paramètres du flux",
            cols.iter()
                .map(|c| {
                    Valeur::Texte(match (&c.parametres, c.saisis, c.flux.parametres.annee_source) {
                        (None, true, _) if c.flux.epcis.is_empty() => "somme des EPCI".into(),
                        (None, true, _) => "flux départemental enregistré".into(),
                        (None, false, _) => "somme des EPCI (paramètres à compléter)".into(),
                        (Some(_), true, _) if c.flux.departement.is_some() => {
                            "part du flux départemental enregistré".into()
                        }
                        (Some(_), true, _) => "enregistrés pour l'année".into(),
                        (Some(_), false, Some(a)) => format!("repris de {a}, à confirmer"),
                        (Some(_), false, None) => "AUCUN PARAMÈTRE SAISI : libérations et flux à 0".into(),
                    })
                })
                .collect(),
        ),
        ligne("CUS prise en compte pour les soustraits (OUI / NON)", param(&|p| oui_non(p.cus))),
        ligne("Charte de relogement prise en compte (OUI / NON)", param(&|p| oui_non(p.charte_relogement))),
        entete("Parc RPLS au 1er janvier", col(&|f, _| n(f.parc))),
        entete("Total des logements exclus de l'assiette", col(&|f, _| n(f.exclus))),
        ligne("  dont PLI (hors logement social)", excl(MOTIF_PLI)),
        ligne("  dont foyers de travailleurs migrants", excl(MOTIF_FTM)),
        ligne("  dont structures médico-sociales", excl(MOTIF_MEDICO_SOCIAL)),
        ligne("  dont CHRS et résidences sociales", excl(MOTIF_CHRS)),
        ligne("  dont autres logements-foyers (nature non précisée)", excl(MOTIF_FOYERS)),
        ligne("  dont logements étudiants", excl(MOTIF_ETUDIANTS)),
        ligne("  dont défense, sécurité intérieure, santé", excl(MOTIF_DEFENSE)),
        ligne("  dont logements en vente (L.443-7) ou à démolir", excl(MOTIF_VENTE)),
        ligne(
            "  dont autres exclusions saisies à la main",
            col(&|f, _| {
                n(f.exclusions.iter().filter(|(m, _)| !MOTIFS_D_EXCLUSION.contains(&m.as_str())).map(|(_, n)| n).sum())
            }),
        ),
        ligne(
            "  exclusions saisies à la main : motif, nombre et commune",
            param(&|p| {
                let v: Vec<String> = p
                    .exclusions_manuelles
                    .iter()
                    .map(|x| {
                        let ou = match &x.commune {
                            Some(c) => format!(" {}", crate::format::a_commune(&crate::consolidate::nom_commune(c))),
                            None => " (réparties sur les communes)".to_string(),
                        };
                        format!(
                            "{} : {}{ou}",
                            majuscule(&crate::flux::motif_d_exclusion(&x.motif)),
                            crate::format::entier(x.logements)
                        )
                    })
                    .collect();
                Valeur::Texte(if v.is_empty() { "aucune".into() } else { v.join(" ; ") })
            }),
        ),
        ligne(
            "Opérations nouvelles (mises en service, dans l'assiette l'an prochain)",
            declare(cols, &|p, _| p.nouvelles_operations()),
        ),
        entete("Assiette à répartir", col(&|f, _| n(f.assiette))),
        ligne("Taux de rotation commun aux réservataires", col(&|f, _| Valeur::Pourcent(f.taux_rotation))),
        ligne("Libérations prévisionnelles", col(&|f, _| n(f.liberations))),
        entete("Total des soustraits du flux", col(&|f, _| n(f.soustraits.values().sum()))),
    ];
    for c in Soustrait::ALL {
        let mut l = format!("  dont {}", c.label().to_lowercase());
        for (bas, haut) in [("anru", "ANRU"), ("npnru", "NPNRU"), ("lhi", "LHI"), ("orcod", "ORCOD")] {
            l = l.replace(bas, haut);
        }
        l = l.replace("(préfet)", "(accord du préfet)");
        if c.accord_prefet() && !l.contains("préfet") {
            l.push_str(" — accord du préfet");
        }
        rows.push(ligne(&l, sous(c)));
        if c == Soustrait::Relogements {
            // The bailleur as demolisher (its own tenants) or as contributor (others').
            let n = |f: &Flux| f.soustraits.get(c.as_str()).copied().unwrap_or(0);
            rows.push(ligne(
                "      comme démolisseur (ses locataires relogés)",
                declare(cols, &|p, f| {
                    if n(f) == 0 { Some(0) } else { p.relogements_contributeur.map(|x| n(f).saturating_sub(x)) }
                }),
            ));
            rows.push(ligne(
                "      comme contributeur (locataires d'autres bailleurs)",
                declare(cols, &|p, f| if n(f) == 0 { Some(0) } else { p.relogements_contributeur }),
            ));
        }
    }
    rows.push(entete("Flux annuel à répartir", col(&|f, _| n(f.flux))));
    // The State's requests, only when entered (else blank, and flagged by the caller); then
    // what is applied (capped by the legal ceilings) and the ceiling's alert. A département's
    // total without a departmental flux shows what its EPCIs share (else « selon l'EPCI »).
    let demande_totale =
        |f: &Flux| f.parametres.taux_etat_pct.or_else(|| f.parametres.taux_fixes.get(&*Reservataire::ETAT).copied());
    let demande_fo = |f: &Flux| {
        f.parametres
            .taux_fonctionnaires_pct
            .or_else(|| f.parametres.taux_fixes.get(&*Reservataire::FONCTIONNAIRES).copied())
    };
    // A request not entered says so (never a blank a reader could take for 0).
    let non_saisie = || Valeur::Texte("non saisie".into());
    let pct_saisi = |x: Option<f64>| x.map(|x| Valeur::Pourcent(x / 100.0)).unwrap_or_else(non_saisie);
    rows.push(ligne(
        "Demande de l'État : part du flux demandée (prioritaires et fonctionnaires)",
        commune_aux_epci(cols, &|f| pct_saisi(demande_totale(f))),
    ));
    rows.push(ligne(
        "  dont candidats prioritaires (part demandée)",
        commune_aux_epci(cols, &|f| match (demande_totale(f), demande_fo(f)) {
            (Some(t), fo) => Valeur::Pourcent((t - fo.unwrap_or(0.0)).max(0.0) / 100.0),
            (None, _) => non_saisie(),
        }),
    ));
    rows.push(ligne(
        "  dont candidats fonctionnaires (part demandée)",
        commune_aux_epci(cols, &|f| pct_saisi(demande_fo(f))),
    ));
    let applique = |f: &Flux, id: &str| Valeur::Pourcent(f.part(id).map(|r| r.taux).unwrap_or(0.0));
    rows.push(ligne(
        "Part de l'État appliquée (plafonds légaux : 30 % sans arrêté préfectoral, 5 % pour les fonctionnaires)",
        commune_aux_epci(cols, &|f| {
            Valeur::Pourcent(
                f.part(&Reservataire::ETAT).map(|r| r.taux).unwrap_or(0.0)
                    + f.part(&Reservataire::FONCTIONNAIRES).map(|r| r.taux).unwrap_or(0.0),
            )
        }),
    ));
    rows.push(ligne(
        "  candidats prioritaires : part appliquée",
        commune_aux_epci(cols, &|f| applique(f, &Reservataire::ETAT)),
    ));
    rows.push(ligne("  candidats prioritaires : logements", col(&|f, _| n(f.logements(&Reservataire::ETAT)))));
    rows.push(ligne(
        "  candidats fonctionnaires : part appliquée",
        commune_aux_epci(cols, &|f| applique(f, &Reservataire::FONCTIONNAIRES)),
    ));
    rows.push(ligne(
        "  candidats fonctionnaires : logements",
        col(&|f, _| n(f.logements(&Reservataire::FONCTIONNAIRES))),
    ));
    rows.push(ligne(
        "Demande de l'État au-delà d'un plafond légal",
        commune_aux_epci(cols, &|f| {
            let v: Vec<String> = f
                .alertes
                .iter()
                .filter(|a| matches!(a.regle, crate::model::Regle::EtatMax30 | crate::model::Regle::FonctionnairesMax5))
                .map(|a| {
                    let mut c = a.detail.chars();
                    c.next().map(|x| x.to_uppercase().chain(c).collect()).unwrap_or_default()
                })
                .collect();
            Valeur::Texte(if v.is_empty() { "non".into() } else { v.join(" ; ") })
        }),
    ));
    // The other specific dwellings: each as declared; their total, in each column, the sum of
    // the lines declared there — « au moins N (k lignes sur 6 renseignées) » while some are not,
    // « non renseigné » when none was. PMR-USH is « of which », outside the sum.
    let par_categorie: Vec<(Specifique, Vec<Valeur>)> =
        Specifique::ALL.into_iter().map(|c| (c, declare(cols, &|p, _| p.specifique(c)))).collect();
    let total: Vec<Valeur> = (0..cols.len())
        .map(|j| {
            let lignes: Vec<&Valeur> =
                par_categorie.iter().filter(|(c, _)| *c != Specifique::Pmr).map(|(_, v)| &v[j]).collect();
            let v: Vec<f64> =
                lignes.iter().filter_map(|v| if let Valeur::Nombre(x) = v { Some(*x) } else { None }).collect();
            let somme: f64 = v.iter().sum();
            if v.is_empty() {
                non_renseigne()
            } else if v.len() == lignes.len() {
                Valeur::Nombre(somme)
            } else {
                Valeur::Texte(format!(
                    "au moins {} ({} {} sur {} {})",
                    crate::format::entier(somme.round() as u64),
                    v.len(),
                    if v.len() > 1 { "lignes" } else { "ligne" },
                    lignes.len(),
                    if v.len() > 1 { "renseignées" } else { "renseignée" }
                ))
            }
        })
        .collect();
    rows.push(entete("Autres logements spécifiques de l'assiette", total));
    for (c, v) in par_categorie {
        rows.push(ligne(&format!("  dont {}", c.label()), v));
    }
    let texte = |s: &str| Valeur::Texte(if s.trim().is_empty() { "—".into() } else { s.trim().to_string() });
    rows.push(ligne("Commentaires : logements spécifiques", param(&|p| texte(&p.commentaires))));
    rows.push(ligne(
        "Commentaires : mutations (avec la CUS)",
        param(&|p| texte(&p.justification(Soustrait::Mutations))),
    ));
    // A category's justification, and the prefect's agreement when it was recorded.
    let commentaire = |p: &FluxParametres, c: Soustrait| -> Option<String> {
        let j = p.justification(c);
        let accord = p.accord_prefet(c).map(|a| format!("accord du préfet : {a}"));
        let v: Vec<String> = [Some(j).filter(|j| !j.is_empty()), accord].into_iter().flatten().collect();
        (!v.is_empty()).then(|| format!("{} : {}", c.court(), v.join(", ")))
    };
    rows.push(ligne(
        "Commentaires : relogements",
        param(&|p| {
            let mut v: Vec<String> = [
                Soustrait::Relogements,
                Soustrait::RelogementsHorsAnru,
                Soustrait::Insalubres,
                Soustrait::Orcod,
                Soustrait::Ventes,
            ]
            .iter()
            .filter_map(|c| commentaire(p, *c))
            .collect();
            // The dwellings for sale taken out of the assiette (L.443-7), with their commune.
            for x in p.exclusions_manuelles.iter().filter(|x| crate::flux::motif_d_exclusion(&x.motif) == MOTIF_VENTE) {
                let ou = x
                    .commune
                    .as_ref()
                    .map(|c| format!(" {}", crate::format::a_commune(&crate::consolidate::nom_commune(c))))
                    .unwrap_or_default();
                v.push(format!(
                    "Logements en vente (L.443-7) exclus de l'assiette : {}{ou}",
                    crate::format::entier(x.logements)
                ));
            }
            texte(&v.join(" ; "))
        }),
    ));
    rows.push(ligne(
        "Commentaires : autres soustraits (urgence, accord du préfet)",
        param(&|p| {
            let v: Vec<String> =
                [Soustrait::Urgence, Soustrait::Autres].iter().filter_map(|c| commentaire(p, *c)).collect();
            texte(&v.join(" ; "))
        }),
    ));
    rows
}

/// What the fiche must say before anyone signs it: parameters not saved, the State's requests
/// not entered, the bailleur's address or correspondent missing.
pub fn avertissements(f: &Fiche) -> Vec<String> {
    let mut v = vec![];
    let sans: Vec<&str> =
        f.colonnes.iter().filter(|c| c.parametres.is_some() && !c.saisis).map(|c| c.titre.as_str()).collect();
    if !sans.is_empty() {
        v.push(format!(
            "Paramètres du flux {} non enregistrés pour {} : chiffres à confirmer avant envoi",
            f.annee,
            sans.join(", ")
        ));
    }
    type Manque = fn(&FluxParametres) -> bool;
    let demandes: [(&str, Manque); 2] = [
        ("candidats prioritaires", |p| p.taux_etat_pct.is_none()),
        ("candidats fonctionnaires", |p| p.taux_fonctionnaires_pct.is_none()),
    ];
    for (quoi, manque) in demandes {
        let sans: Vec<&str> = f
            .colonnes
            .iter()
            .filter(|c| c.parametres.is_some() && manque(&c.flux.parametres))
            .map(|c| c.titre.as_str())
            .collect();
        if !sans.is_empty() {
            v.push(format!(
                "Demande de l'État pour les {quoi} non saisie pour {} : lignes « non saisie », à compléter avec la DDETS",
                sans.join(", ")
            ));
        }
    }
    if f.coordonnees.adresse.trim().is_empty() || f.coordonnees.correspondant.trim().is_empty() {
        v.push("Adresse ou correspondant du bailleur non renseignés (réglages du bailleur)".into());
    }
    v
}

fn titre(f: &Fiche) -> String {
    format!("Fiche récapitulative du calcul de l'assiette — flux {}", f.annee)
}

fn identite(f: &Fiche) -> Vec<(String, String)> {
    let c = &f.coordonnees;
    let ou = |s: &str, manque: &str| if s.trim().is_empty() { manque.to_string() } else { s.trim().to_string() };
    vec![
        ("Bailleur".into(), f.bailleur.clone()),
        ("Adresse".into(), ou(&c.adresse, "non renseignée — à compléter")),
        (
            "Correspondant (nom, fonction, téléphone, courriel)".into(),
            ou(&c.correspondant_complet(), "non renseigné — à compléter"),
        ),
    ]
}

/// A readable file name: « Fiche de l'assiette — Habitat Azur — 2025.xlsx ».
pub fn nom_de_fichier(bailleur: &str, annee: i32, extension: &str) -> String {
    format!("Fiche de l'assiette — {bailleur} — {annee}.{extension}")
        .chars()
        .map(|c| if "/\\:*?\"<>|".contains(c) { '-' } else { c })
        .collect()
}

pub fn export(d: &Dossier, bailleur: &str, annee: i32, out: &Path) -> Result<(), ExportError> {
    let f = fiche(d, bailleur, annee)?;
    let ext = super::extension(out);
    match ext.as_str() {
        "xlsx" => xlsx(d, &f, out),
        "pdf" => pdf(&f, out),
        _ => Err(super::extension_refusee(out, &ext, &["xlsx", "pdf"])),
    }
}

fn xlsx(d: &Dossier, f: &Fiche, out: &Path) -> Result<(), ExportError> {
    let cols = &f.colonnes;
    let rows = lignes(cols);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let e = |x: rust_xlsxwriter::XlsxError| ExportError::Donnees(x.to_string());
    ws.set_name("Calcul de l'assiette").map_err(e)?;
    let titre_f = Format::new().set_bold().set_font_size(14);
    let alerte = Format::new().set_bold().set_font_color(Color::RGB(0xB00020));
    let entete = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let libelle = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
    let libelle_total = Format::new().set_border(FormatBorder::Thin).set_text_wrap().set_bold();
    let nombre = Format::new().set_border(FormatBorder::Thin).set_num_format("#,##0");
    let nombre_total = Format::new().set_border(FormatBorder::Thin).set_num_format("#,##0").set_bold();
    let pourcent = Format::new().set_border(FormatBorder::Thin).set_num_format("0.0%");
    let texte = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
    ws.texte_f(0, 0, titre(f), &titre_f).map_err(e)?;
    let mut r = 1;
    let derniere = cols.len() as u16;
    let largeur = 62.0 + 30.0 * cols.len() as f64;
    for (k, v) in identite(f) {
        let t = format!("{k} : {v}");
        ws.fusion(r, 0, r, derniere, &t, &Format::new().set_text_wrap()).map_err(e)?;
        super::classeur::ajuster(ws, r, &[(&t, largeur)]).map_err(e)?;
        r += 1;
    }
    ws.texte(
        r,
        0,
        format!(
            "Date de référence du dossier : {} — édité le {}",
            crate::format::date_fr(&d.date_reference().to_string()),
            date_d_edition()
        ),
    )
    .map_err(e)?;
    r += 1;
    for a in avertissements(f) {
        let t = format!("Attention : {a}");
        ws.fusion(r, 0, r, derniere, &t, &alerte.clone().set_text_wrap()).map_err(e)?;
        super::classeur::ajuster(ws, r, &[(&t, largeur)]).map_err(e)?;
        r += 1;
    }
    for c in &f.couvertures {
        ws.fusion(r, 0, r, derniere, c, &Format::new().set_text_wrap()).map_err(e)?;
        super::classeur::ajuster(ws, r, &[(c, largeur)]).map_err(e)?;
        r += 1;
    }
    r += 1;
    let premiere = r;
    ws.texte_f(r, 0, "Rubrique", &entete).map_err(e)?;
    for (j, c) in cols.iter().enumerate() {
        ws.texte_f(r, 1 + j as u16, &c.titre, &entete).map_err(e)?;
    }
    // « Total des EPCI du dossier (département des Alpes-Maritimes) » wraps in its column.
    let titres: Vec<(&str, f64)> = cols.iter().map(|c| (c.titre.as_str(), 30.0)).collect();
    super::classeur::ajuster(ws, r, &titres).map_err(e)?;
    for (i, l) in rows.iter().enumerate() {
        let r = premiere + 1 + i as u32;
        ws.texte_f(r, 0, &l.libelle, if l.total { &libelle_total } else { &libelle }).map_err(e)?;
        for (j, v) in l.valeurs.iter().enumerate() {
            let c = 1 + j as u16;
            match v {
                Valeur::Nombre(x) => {
                    ws.write_number_with_format(r, c, *x, if l.total { &nombre_total } else { &nombre })
                }
                Valeur::Pourcent(x) => ws.write_number_with_format(r, c, *x, &pourcent),
                Valeur::Texte(s) => ws.texte_f(r, c, s, &texte),
                Valeur::Vide => ws.write_blank(r, c, &texte),
            }
            .map_err(e)?;
        }
        let mut cellules = vec![(l.libelle.as_str(), 62.0)];
        for v in &l.valeurs {
            if let Valeur::Texte(t) = v {
                cellules.push((t.as_str(), 30.0));
            }
        }
        super::classeur::ajuster(ws, r, &cellules).map_err(e)?;
    }
    let fin = premiere + 1 + rows.len() as u32 + 1;
    let n = cols.len() as u16;
    let seconde = if n >= 2 { (1 + n / 2, n) } else { (1, 1) };
    let premiere_boite = if n >= 2 { (0, n / 2) } else { (0, 0) };
    let largeur = |(a, b): (u16, u16)| (a..=b).map(|c| if c == 0 { 62.0 } else { 30.0 }).sum::<f64>();
    super::classeur::signatures(
        ws,
        fin,
        &signataires(f),
        &[premiere_boite, seconde],
        &[largeur(premiere_boite), largeur(seconde)],
        true,
    )
    .map_err(e)?;
    ws.set_column_width(0, 62).map_err(e)?;
    for j in 0..cols.len() {
        ws.set_column_width(1 + j as u16, 30).map_err(e)?;
    }
    ws.set_freeze_panes(premiere + 1, 1).map_err(e)?;
    ws.set_repeat_rows(premiere, premiere).map_err(e)?;
    let reference = format!("FICHE-ASSIETTE-{}-{}", crate::text::slug(&f.bailleur), f.annee).to_uppercase();
    super::classeur::mise_en_page(ws, true, &titre(f), &date_d_edition(), &reference, true).map_err(e)?;
    save_workbook(&mut wb, out)
}

/// Who signs the fiche: the bailleur, and the DDETS for its visa.
fn signataires(f: &Fiche) -> Vec<String> {
    vec![
        format!("Pour le bailleur {}, son représentant légal", f.bailleur),
        "Visa de la DDETS (pour le préfet et par délégation)".to_string(),
    ]
}

/// The fiche as a PDF: landscape, the label column and up to four columns per band; more EPCIs
/// go on in further bands, the label column repeated.
fn pdf(f: &Fiche, out: &Path) -> Result<(), ExportError> {
    let entete = Entete {
        document: titre(f),
        mentions: vec![
            format!("Bailleur : {}", f.bailleur),
            if f.couvertures.is_empty() {
                "Une colonne par EPCI et le total du département".into()
            } else {
                "Une colonne par EPCI et le total des EPCI du dossier".into()
            },
            format!("Flux {}", f.annee),
        ],
        edition: date_d_edition(),
        reference: format!("FICHE-ASSIETTE-{}-{}", crate::text::slug(&f.bailleur), f.annee).to_uppercase(),
    };
    let mut p = Pdf::document(true, entete);
    p.paraphes = true;
    // A dense form: the whole width of the page, cells close around their text.
    p.marge_cellule = 0.3;
    p.titre(12.0, &titre(f));
    let rows: Vec<Vec<String>> = identite(f).into_iter().map(|(k, v)| vec![k, v]).collect();
    p.tableau(&[250.0, p.largeur() - 250.0], &[false, false], &rows, 8.0);
    for a in avertissements(f) {
        p.texte(8.0, &format!("Attention : {a}."));
    }
    for c in &f.couvertures {
        p.texte(8.0, c);
    }
    p.espace(4.0);
    let lignes = lignes(&f.colonnes);
    let largeur_libelle = 330.0;
    let par_bande = 4;
    let n = f.colonnes.len();
    for debut in (0..n).step_by(par_bande) {
        let fin = (debut + par_bande).min(n);
        let w = (p.largeur() - largeur_libelle) / (fin - debut) as f32;
        let mut widths = vec![largeur_libelle];
        widths.extend(std::iter::repeat_n(w, fin - debut));
        let mut right = vec![false];
        right.extend(std::iter::repeat_n(true, fin - debut));
        let mut rows: Vec<Vec<String>> = vec![
            std::iter::once("Rubrique".to_string())
                .chain(f.colonnes[debut..fin].iter().map(|c| c.titre.clone()))
                .collect(),
        ];
        for l in &lignes {
            rows.push(
                std::iter::once(l.libelle.clone()).chain(l.valeurs[debut..fin].iter().map(Valeur::texte)).collect(),
            );
        }
        if debut > 0 {
            p.new_page();
        }
        if fin == n {
            p.garder_pour_la_suite = p.hauteur_signatures(&signataires(f));
        }
        p.tableau(&widths, &right, &rows, 7.5);
    }
    p.signatures(None, &signataires(f));
    p.save(out)
}
