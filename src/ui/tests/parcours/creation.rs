//! A new dossier: its territory and reference date asked first (also when files wait to be
//! imported into it), its états des lieux through the wizard; its properties changed later.

use super::super::{Temp, classeur, corpus, corpus_absent, harness, type_into};
use super::{c_path, casa, chiffres, dossier_a_echeances};
use crate::ui::app::App;
use crate::ui::state::Action;
use contingents::model::Date;
use contingents::reference::Territoire;
use contingents::store::Dossier;
use eframe::egui;
use egui_kittest::kittest::Queryable;
use std::path::PathBuf;

#[test]
fn nouveau_dossier_territoire_et_date() {
    let t = Temp::new("nouveau");
    let demo = t.0.join("demo.sqlite");
    contingents::demo::construire_dossier(&demo).unwrap();
    let mut h = harness(App::for_tests(demo));
    h.run_steps(2);
    // The first screen says it shows fictitious data, and how to make one's own dossier.
    h.get_by_label("Dossier de démonstration (données fictives)");
    h.get_by_label("Créer votre dossier…").click();
    h.run_steps(3);
    // Its file, named without extension (the picker of the window in tests).
    type_into(&mut h, "Nom du fichier", &format!("{}/CASA réservations 2024", t.0.display()));
    h.get_by_label("Enregistrer").click();
    h.run_steps(3);
    let c = h.state().ecrans.creation.as_ref().expect("the wizard is open");
    assert_eq!(c.path, t.0.join("CASA réservations 2024.contingents"), "the extension is added");
    // Nothing is created before the territory is chosen.
    h.get_by_label("Créer le dossier").click();
    h.run_steps(2);
    assert!(!c_path(&h).exists());
    h.get_by_label("Choisissez d'abord le territoire.");
    // The territory found by its name, with its communes shown.
    type_into(&mut h, "Rechercher le territoire", "sophia");
    h.get_by_label("CA de Sophia Antipolis — EPCI 240600585 (24 communes)").click();
    h.run_steps(3);
    h.get_by_label("Territoire : CA de Sophia Antipolis (EPCI 240600585), 24 communes");
    assert!(
        h.query_by_label_contains("Antibes, Bar-sur-Loup").is_some()
            || h.query_by_label_contains("Antibes, ").is_some()
    );
    // The reference date proposed (1 January of this year, or of next year from October on)
    // with why and what it is for; typed the French way.
    let aujourdhui = contingents::store::aujourdhui();
    let (propose, pourquoi) = crate::ui::state::date_de_reference_proposee(aujourdhui);
    let annee = if aujourdhui.month >= 10 { aujourdhui.year + 1 } else { aujourdhui.year };
    assert_eq!(h.state().ecrans.creation.as_ref().unwrap().date, format!("01/01/{annee}"));
    assert_eq!(propose, contingents::store::date_reference_pour(aujourdhui));
    h.get_by_label(&pourquoi);
    h.get_by_label("Les conventions échues avant cette date comptent en non réservé.");
    type_into(&mut h, "Date de référence", "31/02/2024");
    h.get_by_label("« 31/02/2024 » n'est pas une date : écrivez par exemple 01/01/2024");
    type_into(&mut h, "Date de référence", "01/01/2024");
    h.get_by_label("Créer le dossier").click();
    h.run_steps(4);
    let path = t.0.join("CASA réservations 2024.contingents");
    assert!(
        path.exists(),
        "{:?} {:?} {:?}",
        h.state().messages.error.as_ref().map(|e| e.to_string()),
        h.state().ecrans.creation.as_ref().map(|c| (&c.territoire, &c.date)),
        h.state().messages.status
    );
    {
        let d = Dossier::open_read_only(&path).unwrap();
        assert_eq!(d.territoire(), casa());
        assert_eq!(d.date_reference(), Date::new(2024, 1, 1).unwrap());
    }
    let v = h.state().view.as_ref().expect("the new dossier is open");
    assert_eq!(v.path, path);
    assert!(!v.demonstration);
    assert_eq!(h.state().state.screen, crate::ui::state::Screen::Import, "its first step: the import");
    // Every screen says which dossier, territory and date it shows.
    h.get_by_label("CASA réservations 2024");
    h.get_by_label("CA de Sophia Antipolis (EPCI 240600585)");
    h.get_by_label("date de référence 01/01/2024");
    assert!(h.query_by_label("Dossier de démonstration (données fictives)").is_none());

    // The états des lieux through the wizard: the sample corpus when it is here.
    let attendu = if let Some(corpus) = corpus("casa") {
        let manifest: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(corpus.join("manifest.json")).unwrap()).unwrap();
        let imports = manifest["imports"].as_array().unwrap().clone();
        let files: Vec<PathBuf> = imports.iter().map(|i| corpus.join(i["fichier"].as_str().unwrap())).collect();
        let ctx = h.ctx.clone();
        h.state_mut().handle(&ctx, Action::Prepare(files));
        h.run_steps(3);
        h.get_by_label("Reprendre les noms proposés par les noms de fichiers").click();
        h.run_steps(2);
        // « residences_du_loup_… » proposes « Résidences du Loup », accents included: each
        // name proposed is the manifest's, nothing retyped.
        for f in &h.state().ecrans.wizard.as_ref().unwrap().files {
            let b = imports.iter().find(|i| i["fichier"] == f.fichier.as_str()).unwrap()["bailleur"].as_str().unwrap();
            assert_eq!(f.bailleur, b);
        }
        (8000, 51, 12, 96)
    } else {
        corpus_absent("nouveau_dossier_territoire_et_date");
        let f = t.0.join("habitat_azur_edl_2024.xlsx");
        classeur(
            &f,
            &[
                &["Référence", "Commune", "Réservataire", "Typologie", "Financement", "Date de fin de convention"],
                &["A1", "Antibes", "Préfecture", "T2", "PLUS", "31/12/2030"],
                // Ended before the reference date: an extinct right.
                &["A2", "Biot", "Préfecture", "T3", "PLAI", "31/12/2023"],
                // A name four communes of France share: the territory's.
                &["A3", "Gourdon", "Action Logement", "T3", "PLUS", ""],
                // Outside the territory: set aside.
                &["A4", "Cannes", "Préfecture", "T2", "PLUS", ""],
                // Ends after the reference date (a dossier dated 2026 would count it extinct).
                &["A5", "Vallauris", "Préfecture", "T4", "PLUS", "30/06/2025"],
                // The same reference again, another typology: a conflict.
                &["A1", "Antibes", "Préfecture", "T3", "PLUS", "31/12/2030"],
            ],
        );
        let ctx = h.ctx.clone();
        h.state_mut().handle(&ctx, Action::Prepare(vec![f]));
        h.run_steps(3);
        h.get_by_label("Reprendre « Habitat Azur » (nom du fichier)").click();
        h.run_steps(2);
        (4, 1, 1, 1)
    };
    h.get_by_label("Importer").click();
    h.run_steps(4);
    h.get_by_label("Résumé de l'import");
    h.get_by_label("Voir la consolidation").click();
    h.run_steps(3);
    assert_eq!(chiffres(&h), (attendu.0, attendu.1 as usize, attendu.2 as usize, attendu.3 as usize));
    // The consolidation says them, à la française.
    let (_, r, c, e) = attendu;
    let pl = |n: u64, s: &str, p: &str| contingents::format::pluriel(n, s, p);
    // Each count a link to its list.
    for compte in [
        pl(r, "ligne mise de côté", "lignes mises de côté"),
        pl(c, "conflit", "conflits"),
        pl(e, "droit échu", "droits échus"),
    ] {
        assert!(h.query_by_role_and_label(egui::accesskit::Role::Link, &compte).is_some(), "{compte}");
    }
    h.get_by_label(" (droits échus comptés en non réservé).");
    let d = Dossier::open_read_only(&path).unwrap();
    let report = contingents::consolidate::report(&d).unwrap();
    assert_eq!(
        (report.logements, report.rejets.len(), report.conflits.len(), report.echus.len()),
        (attendu.0, r as usize, c as usize, e as usize)
    );
}

#[test]
fn proprietes_du_dossier() {
    let t = Temp::new("proprietes");
    let dossier = dossier_a_echeances(&t);
    let mut h = harness(App::for_tests(dossier.clone()));
    h.run_steps(2);
    assert_eq!(chiffres(&h).3, 2, "two rights ended before 01/01/2024");
    h.get_by_label("Propriétés…").click();
    h.run_steps(3);
    h.get_by_label("Propriétés du dossier");
    // Nothing changes while the date stays.
    h.get_by_label("Aucun changement.");
    type_into(&mut h, "Date de référence", "01/01/2025");
    h.run_steps(3);
    // The effect is said before anything is written.
    h.get_by_label("• 3 droits deviennent échus (5 au lieu de 2)");
    // The saved flux and the annexes follow the stock: said too.
    h.get_by_label("• les flux enregistrés et les annexes suivent le nouveau stock : leurs chiffres peuvent changer (refaites les annexes déjà éditées)");
    assert_eq!(Dossier::open_read_only(&dossier).unwrap().date_reference(), Date::new(2024, 1, 1).unwrap());
    h.get_by_label("Appliquer le changement").click();
    h.run_steps(4);
    assert!(h.state().ecrans.proprietes.is_none());
    assert_eq!(Dossier::open_read_only(&dossier).unwrap().date_reference(), Date::new(2025, 1, 1).unwrap());
    assert_eq!(chiffres(&h).3, 5);
    assert!(h.state().messages.status.contains("3 droits deviennent échus"), "{}", h.state().messages.status);
    h.get_by_label("date de référence 01/01/2025");
    // And back: « 3 droits ne sont plus échus ».
    h.get_by_label("Propriétés…").click();
    h.run_steps(3);
    type_into(&mut h, "Date de référence", "01/01/2024");
    h.run_steps(3);
    h.get_by_label("• 3 droits ne sont plus échus (2 au lieu de 5)");
    // A date that is no date is refused, nothing asked.
    type_into(&mut h, "Date de référence", "2024");
    h.get_by_label("« 2024 » n'est pas une date : écrivez par exemple 01/01/2024");
    assert!(h.query_by_label("Appliquer le changement").is_none());
    type_into(&mut h, "Date de référence", "01/01/2024");
    h.run_steps(3);
    h.get_by_label("Appliquer le changement").click();
    h.run_steps(4);
    assert_eq!(chiffres(&h).3, 2);
    assert_eq!(Dossier::open_read_only(&dossier).unwrap().date_reference(), Date::new(2024, 1, 1).unwrap());

    // Another territory: the six dwellings of Antibes leave it (said first, nothing written),
    // and their two extinct rights with them.
    h.get_by_label("Propriétés…").click();
    h.run_steps(3);
    type_into(&mut h, "Rechercher le territoire", "Nice");
    h.get_by_label("Métropole Nice Côte d'Azur — EPCI 200030195 (51 communes)").click();
    h.run_steps(4);
    h.get_by_label("• 6 logements sortent du territoire (mis de côté : commune hors territoire)");
    h.get_by_label("• droits échus : 0 au lieu de 2");
    assert_eq!(Dossier::open_read_only(&dossier).unwrap().territoire(), casa(), "nothing written yet");
    h.get_by_label("Appliquer le changement").click();
    h.run_steps(4);
    assert_eq!(Dossier::open_read_only(&dossier).unwrap().territoire(), Territoire::Epci("200030195".into()));
    assert_eq!(chiffres(&h), (0, 6, 0, 0));
    h.get_by_label("Métropole Nice Côte d'Azur (EPCI 200030195)");
    // And back: they come in again, read from the rows kept aside.
    h.get_by_label("Propriétés…").click();
    h.run_steps(3);
    type_into(&mut h, "Rechercher le territoire", "240600585");
    h.get_by_label("CA de Sophia Antipolis — EPCI 240600585 (24 communes)").click();
    h.run_steps(4);
    h.get_by_label("• 6 lignes mises de côté entrent dans le territoire (réintégrées au stock)");
    h.get_by_label("Appliquer le changement").click();
    h.run_steps(4);
    assert_eq!(chiffres(&h), (6, 0, 0, 2));
}

/// `contingents gui NOUVEAU --importer FICHIER` on a dossier that does not exist yet: the
/// window asks its territory and date first (nothing created, nothing imported before), then
/// opens the file in the import wizard of the new dossier; « Annuler » creates nothing and
/// says the file was not opened.
#[test]
fn un_dossier_nomme_avec_des_fichiers_a_importer_demande_son_territoire_d_abord() {
    let t = Temp::new("importer-nouveau");
    let demo = t.0.join("demo.sqlite");
    contingents::demo::construire_dossier(&demo).unwrap();
    let f = t.0.join("habitat_azur_edl_2024.xlsx");
    classeur(
        &f,
        &[
            &["Référence", "Commune", "Réservataire", "Typologie", "Financement", "Date de fin de convention"],
            &["A1", "Antibes", "Préfecture", "T2", "PLUS", "31/12/2030"],
        ],
    );
    let nouveau = t.0.join("casa.contingents");
    let mut app = App::for_tests(demo.clone());
    app.demarrer(demo.clone(), Some(nouveau.clone()), vec![f.clone()]);
    let mut h = harness(app);
    h.run_steps(3);
    // The wizard of the new dossier, over the dossier already open; nothing created or prepared.
    assert_eq!(c_path(&h), nouveau);
    assert!(!nouveau.exists());
    assert!(h.state().ecrans.wizard.is_none(), "no import before the dossier exists");
    assert_eq!(h.state().view.as_ref().unwrap().path, demo);
    h.get_by_label("À importer une fois le dossier créé : habitat_azur_edl_2024.xlsx");
    type_into(&mut h, "Rechercher le territoire", "sophia");
    h.get_by_label("CA de Sophia Antipolis — EPCI 240600585 (24 communes)").click();
    h.run_steps(3);
    type_into(&mut h, "Date de référence", "01/01/2024");
    h.get_by_label("Créer le dossier").click();
    h.run_steps(6);
    {
        let d = Dossier::open_read_only(&nouveau).unwrap();
        assert_eq!(d.territoire(), casa());
        assert_eq!(d.date_reference(), Date::new(2024, 1, 1).unwrap());
    }
    assert_eq!(h.state().view.as_ref().unwrap().path, nouveau);
    let w = h.state().ecrans.wizard.as_ref().expect("the file is in the import wizard");
    assert_eq!(w.files.len(), 1);
    assert_eq!(w.files[0].fichier, "habitat_azur_edl_2024.xlsx");

    // Cancelled: no dossier, the file not opened, and the window says so.
    let autre = t.0.join("autre.contingents");
    h.state_mut().ecrans.wizard = None;
    h.state_mut().demarrer(nouveau.clone(), Some(autre.clone()), vec![f.clone()]);
    h.run_steps(3);
    assert_eq!(c_path(&h), autre);
    h.get_by_label("Annuler").click();
    h.run_steps(3);
    assert!(h.state().ecrans.creation.is_none());
    assert!(!autre.exists());
    assert!(h.state().ecrans.wizard.is_none());
    assert!(h.state().session.pending_import.is_empty());
    assert_eq!(
        h.state().messages.status,
        "Dossier non créé : le fichier à importer n'a pas été ouvert — ",
        "{:?}",
        h.state().messages.status
    );
}
