//! The two first-time users' reviews of the window (second round), each finding driven
//! through the window by its labels: the bailleur renamed, the typed reference replaced by a
//! choice of dwelling, what to do when a flux is missing, messages that do not pile up nor
//! outlive their situation.

use super::{Temp, harness, type_into};
use crate::ui::app::App;
use contingents::consolidate::Filtre;
use contingents::store::Dossier;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::path::PathBuf;

/// The demonstration dossier open in the window: (harness, dossier).
fn demo(t: &Temp) -> (Harness<'static, App>, PathBuf) {
    let dossier = t.0.join("demo.sqlite");
    contingents::demo::construire_dossier(&dossier).unwrap();
    let mut h = harness(App::for_tests(dossier.clone()));
    h.run_steps(2);
    (h, dossier)
}

fn total_du_bailleur(h: &Harness<'static, App>, b: &str) -> u64 {
    let f = Filtre { bailleur: Some(b.into()), ..Default::default() };
    h.state().view.as_ref().unwrap().cube.total(&f)
}

#[test]
fn un_bailleur_se_renomme_depuis_l_historique_et_un_nom_pris_est_refuse() {
    let t = Temp::new("renommer");
    let (mut h, dossier) = demo(&t);
    let avant = total_du_bailleur(&h, "Var Logis");
    assert!(avant > 0);
    h.state_mut().state.filters.bailleur = Some("Var Logis".into());
    h.get_by_label("Historique").click();
    h.run_steps(3);
    h.get_by_label("Bailleurs du dossier (3)").click();
    h.run_steps(2);
    h.get_by_label("Renommer « Var Logis »…").click();
    h.run_steps(2);
    // A name another bailleur has (with other accents): said at once, the button disabled.
    type_into(&mut h, "Nouveau nom :", "Habitat Mediterranee");
    h.get_by_label(
        "le nom « Habitat Mediterranee » est déjà pris par le bailleur « Habitat Méditerranée » du dossier : choisissez un autre nom",
    );
    h.get_by_label("Renommer").click();
    h.run_steps(3);
    assert!(h.state().view.as_ref().unwrap().bailleurs_du_dossier.contains(&"Var Logis".to_string()));
    type_into(&mut h, "Nouveau nom :", "Var Logis Habitat");
    h.get_by_label("Renommer").click();
    h.run_steps(4);
    assert_eq!(
        h.state().messages.status,
        "Bailleur « Var Logis » renommé « Var Logis Habitat » (noté dans l'historique)"
    );
    let v = h.state().view.as_ref().unwrap();
    assert!(!v.bailleurs_du_dossier.contains(&"Var Logis".to_string()));
    assert!(v.bailleurs_du_dossier.contains(&"Var Logis Habitat".to_string()));
    // Its dwellings, its register and its saved flux follow it; the filter too.
    assert_eq!(total_du_bailleur(&h, "Var Logis Habitat"), avant);
    assert_eq!(total_du_bailleur(&h, "Var Logis"), 0);
    assert_eq!(h.state().state.filters.bailleur.as_deref(), Some("Var Logis Habitat"));
    let d = Dossier::open_read_only(&dossier).unwrap();
    assert_eq!(d.journal().unwrap().len(), 1);
    assert!(contingents::flux::parametres(&d, "Var Logis Habitat", "248300543", 2025).unwrap().rotation_pct.is_some());
    // Recorded in the history, with its date.
    h.run_steps(2);
    assert!(h.query_by_label_contains(" — Bailleur « Var Logis » renommé « Var Logis Habitat »").is_some());
}
