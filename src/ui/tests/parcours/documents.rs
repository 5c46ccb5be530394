//! The documents asked from the flux screen: the annex of the year chosen, the forecast of
//! the soustraits with the bailleur's address.

use super::super::{Temp, choisir, harness, type_into};
use crate::ui::app::App;
use contingents::store::Dossier;
use egui_kittest::kittest::{NodeT, Queryable};

#[test]
fn annexe_de_l_annee_du_flux() {
    let t = Temp::new("annexe-annee");
    let dossier = t.0.join("demo.sqlite");
    contingents::demo::construire_dossier(&dossier).unwrap();
    let mut h = harness(App::for_tests(dossier.clone()));
    h.run_steps(2);
    h.get_by_label("Flux annuel").click();
    h.run_steps(4);
    let (b, e) = {
        let fv = h.state().ecrans.flux.as_ref().expect("flux loaded");
        assert_eq!(fv.annee, contingents::demo::DEMO_ANNEE);
        (fv.bailleur.clone(), fv.epci.clone())
    };
    // A year outside 2000–2100 is refused in red; the year shown stays.
    type_into(&mut h, "Année", "2150");
    h.get_by_label(&format!("« 2150 » : une année de 2000 à 2100 ({} reste choisie)", contingents::demo::DEMO_ANNEE));
    assert_eq!(h.state().ecrans.flux.as_ref().unwrap().annee, contingents::demo::DEMO_ANNEE);
    // 2024: its parameters typed and saved in the flux screen.
    type_into(&mut h, "Année", "2024");
    h.run_steps(4);
    assert_eq!(h.state().ecrans.flux.as_ref().unwrap().annee, 2024);
    type_into(&mut h, "Taux de rotation", "9");
    h.get_by_label("Enregistrer les paramètres").click();
    h.run_steps(4);
    let d = Dossier::open_read_only(&dossier).unwrap();
    let params = contingents::flux::parametres(&d, &b, &e, 2024).unwrap();
    assert_eq!(params.rotation_pct, Some(9.0));
    assert_eq!(params.annee_source, None, "saved for 2024, not taken from 2025");
    let g = contingents::flux::groupes(&d, &b, &e).unwrap();
    let flux = contingents::flux::calculer(&b, &e, 2024, &g, &params);
    let etat = flux.logements("etat");
    assert!(flux.flux > 0 && etat > 0);
    // The screen remembers it for this dossier.
    assert_eq!(h.state().state.flux.get(&dossier).map(|s| s.annee), Some(2024));
    // The annex from the flux screen: its bailleur, EPCI and year.
    h.get_by_label("Annexe d'un réservataire…").click();
    h.run_steps(3);
    let a = h.state().ecrans.annexe.as_ref().expect("the annex's dialog");
    assert_eq!(
        (a.bailleur.as_deref(), a.epci.as_deref(), a.annee.as_str()),
        (Some(b.as_str()), Some(e.as_str()), "2024")
    );
    choisir(&mut h, "Réservataire", "État (contingent préfectoral)");
    h.get_by_label("Exporter en xlsx…").click();
    h.run_steps(3);
    // A name people can read.
    let nom = format!("Annexe État — {b} — {} — 2024.xlsx", contingents::consolidate::nom_epci(&e));
    assert_eq!(h.state().fichiers.picker.as_ref().unwrap().saisie, nom);
    type_into(&mut h, "Nom du fichier", &format!("{}/{nom}", t.0.display()));
    h.get_by_label("Enregistrer").click();
    h.run_steps(4);
    let out = t.0.join(&nom);
    assert!(
        out.exists(),
        "{:?} / {:?}",
        h.state().messages.status,
        h.state().messages.error.as_ref().map(|e| e.to_string())
    );
    assert!(h.state().messages.status.starts_with("Annexe écrite"), "{}", h.state().messages.status);
    // The document: the year 2024, the flux of 2024 with its saved parameters.
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto(&out).unwrap();
    let name = wb.sheet_names()[0].clone();
    let ws = wb.worksheet_range(&name).unwrap();
    let cellules: Vec<(String, String)> = ws
        .rows()
        .map(|r| {
            let t = |i: usize| r.get(i).map(|c| contingents::import::cell_text(c).into_owned()).unwrap_or_default();
            (t(0), t(1))
        })
        .collect();
    let valeur = |k: &str| cellules.iter().find(|(a, _)| a.trim() == k).map(|(_, v)| v.clone());
    let commence = |k: &str| cellules.iter().find(|(a, _)| a.starts_with(k)).map(|(_, v)| v.clone());
    assert_eq!(valeur("Année du flux").as_deref(), Some("2024"), "{cellules:?}");
    assert_eq!(commence("Flux annuel 2024 à répartir sur"), Some(flux.flux.to_string()), "{cellules:?}");
    assert_eq!(
        valeur("Logements du réservataire en 2024 sur ce périmètre"),
        Some((etat + flux.logements("etat-fonctionnaires")).to_string())
    );
    assert_eq!(valeur("dont publics prioritaires"), Some(etat.to_string()));
    // The parameters of 2024, saved: nothing « repris de 2025 » nor « à confirmer ».
    assert!(
        !cellules.iter().any(|(a, b)| a.contains("repris de") || b.contains("repris de") || a.contains("à confirmer")),
        "{cellules:?}"
    );
}

/// Issue 21 in the window: the bailleur's address and correspondent typed once in the flux
/// screen (for its fiche), the soustraits by the one list of categories, and the forecast of
/// the soustraits exported for the flux screen's bailleur and year.
#[test]
fn prevision_et_coordonnees_depuis_le_flux() {
    let t = Temp::new("prevision");
    let dossier = t.0.join("demo.sqlite");
    contingents::demo::construire_dossier(&dossier).unwrap();
    let mut h = harness(App::for_tests(dossier.clone()));
    h.run_steps(2);
    h.get_by_label("Flux annuel").click();
    h.run_steps(4);
    let (b, e, a) = {
        let fv = h.state().ecrans.flux.as_ref().unwrap();
        (fv.bailleur.clone(), fv.epci.clone(), fv.annee)
    };
    h.get_by_label("Fiche récapitulative (DDETS)").click();
    h.run_steps(2);
    type_into(&mut h, "Adresse", "12 rue de la République, 83000 Toulon");
    type_into(&mut h, "Correspondant", "Claire Martin");
    // The categories of the one list (ANRU, hors ANRU, LHI…), each with its justification.
    type_into(&mut h, "Relogements hors ANRU (accord du préfet)", "3");
    type_into(&mut h, "Justification (Relogements hors ANRU)", "Réhabilitation lourde, résidence Les Pins");
    // The prefect's agreement recorded; the fiche's declarations: 0 is a declaration, an
    // empty field is none (« non renseigné »).
    type_into(&mut h, "Accord du préfet obtenu (Relogements hors ANRU)", "courrier du 12/01/2025");
    type_into(&mut h, "dont logements jeunes", "4");
    type_into(&mut h, "Opérations nouvelles (mises en service, dans l'assiette l'an prochain)", "0");
    h.get_by_label("Enregistrer les paramètres").click();
    h.run_steps(4);
    let d = Dossier::open_read_only(&dossier).unwrap();
    let c = d.coordonnees_du_bailleur(&b).unwrap();
    assert_eq!(
        (c.adresse.as_str(), c.correspondant.as_str()),
        ("12 rue de la République, 83000 Toulon", "Claire Martin")
    );
    let p = contingents::flux::parametres(&d, &b, &e, a).unwrap();
    assert_eq!(
        p.soustraits.iter().find(|(m, _, _)| m == "relogements_hors_anru").map(|(_, n, j)| (*n, j.as_str())),
        Some((3, "Réhabilitation lourde, résidence Les Pins"))
    );
    use contingents::flux::{Soustrait, Specifique};
    assert_eq!(p.accord_prefet(Soustrait::RelogementsHorsAnru), Some("courrier du 12/01/2025"));
    assert_eq!(
        (p.specifique(Specifique::Jeunes), p.specifique(Specifique::Seniors), p.nouvelles_operations()),
        (Some(4), None, Some(0))
    );
    // The forecast of this bailleur and year.
    h.get_by_label("Prévision des soustraits…").click();
    h.run_steps(3);
    let nom = format!("Prévision des soustraits — {b} — {a}.pdf");
    assert_eq!(h.state().fichiers.picker.as_ref().unwrap().saisie, nom);
    type_into(&mut h, "Nom du fichier", &format!("{}/{nom}", t.0.display()));
    h.get_by_label("Enregistrer").click();
    h.run_steps(4);
    let out = t.0.join(&nom);
    assert!(out.exists(), "{:?}", h.state().messages.error.as_ref().map(|e| e.to_string()));
    assert!(h.state().messages.status.starts_with("Prévision des soustraits écrite"), "{}", h.state().messages.status);
    assert!(std::fs::read(&out).unwrap().starts_with(b"%PDF"));
}

/// The parameters of last year proposed « à confirmer » for the next one: « Enregistrer les
/// paramètres » confirms them as they are (it was greyed out, nothing changed: the annex of
/// the new year stayed a « PROJET » whatever the user did in the window).
#[test]
fn les_parametres_repris_de_l_an_passe_se_confirment() {
    let t = Temp::new("confirmer");
    let dossier = t.0.join("demo.sqlite");
    contingents::demo::construire_dossier(&dossier).unwrap();
    let mut h = harness(App::for_tests(dossier.clone()));
    h.run_steps(2);
    h.get_by_label("Flux annuel").click();
    h.run_steps(4);
    let (b, e) = {
        let fv = h.state().ecrans.flux.as_ref().unwrap();
        (fv.bailleur.clone(), fv.epci.clone())
    };
    let suivante = contingents::demo::DEMO_ANNEE + 1;
    type_into(&mut h, "Année", &suivante.to_string());
    h.run_steps(4);
    let fv = h.state().ecrans.flux.as_ref().unwrap();
    assert_eq!((fv.annee, fv.params.annee_source), (suivante, Some(contingents::demo::DEMO_ANNEE)));
    assert!(fv.a_confirmer() && !fv.modifie());
    let bouton = h.get_by_label("Enregistrer les paramètres");
    assert!(!bouton.accesskit_node().is_disabled(), "the parameters to confirm can be saved as they are");
    bouton.click();
    h.run_steps(4);
    let d = Dossier::open_read_only(&dossier).unwrap();
    let enregistres = contingents::flux::parametres(&d, &b, &e, suivante).unwrap();
    let an_passe = contingents::flux::parametres(&d, &b, &e, contingents::demo::DEMO_ANNEE).unwrap();
    assert_eq!(enregistres.annee_source, None, "saved for {suivante}");
    assert_eq!(enregistres.rotation_pct, an_passe.rotation_pct);
    let fv = h.state().ecrans.flux.as_ref().unwrap();
    assert!(!fv.a_confirmer() && !fv.modifie());
    assert!(h.get_by_label("Enregistrer les paramètres").accesskit_node().is_disabled(), "nothing left to save");
}
