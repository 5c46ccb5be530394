//! The user's path through the window, end to end (egui_kittest): a new dossier with its
//! territory and reference date, its properties changed, a register imported through the
//! wizard, the annex of the year chosen in the flux screen, the workshop mode at 1280 × 720,
//! closing during an import. Each test asserts the figures the core gives.

use super::{Temp, choisir, classeur, corpus, corpus_absent, harness, type_into};
use crate::ui::app::App;
use crate::ui::state::Action;
use contingents::consolidate::Filtre;
use contingents::model::Date;
use contingents::reference::Territoire;
use contingents::store::Dossier;
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::{By, NodeT, Queryable};
use std::path::{Path, PathBuf};

fn casa() -> Territoire {
    Territoire::Epci("240600585".into())
}

/// The dossier's figures as the window shows them: logements, rows set aside, conflicts,
/// extinct rights.
fn chiffres(h: &Harness<'static, App>) -> (u64, usize, usize, usize) {
    let v = h.state().view.as_ref().unwrap();
    (v.cube.total(&Filtre::default()), v.rejets.len(), v.conflits, v.echus)
}

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
    let aujourdhui = contingents::model::Date::parse_iso(&contingents::store::now_iso()[..10]).unwrap();
    let (propose, pourquoi) = crate::ui::state::date_de_reference_proposee(aujourdhui);
    assert_eq!(h.state().ecrans.creation.as_ref().unwrap().date, contingents::format::date_fr(&propose.to_string()));
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

fn c_path(h: &Harness<'static, App>) -> PathBuf {
    h.state().ecrans.creation.as_ref().map(|c| c.path.clone()).unwrap_or_default()
}

/// A dossier of the CASA at 01/01/2024 whose conventions end on 31/12/2023 (2), 30/06/2024
/// (3) and 31/12/2030 (1), imported through the core.
fn dossier_a_echeances(t: &Temp) -> PathBuf {
    let dossier = t.0.join("echeances.contingents");
    {
        let d = Dossier::open(&dossier, true).unwrap();
        d.set_parametre("territoire", "240600585").unwrap();
        d.set_parametre("date_reference", "2024-01-01").unwrap();
    }
    let f = t.0.join("azur_edl.xlsx");
    let mut rows: Vec<Vec<String>> = vec![
        ["Référence", "Commune", "Réservataire", "Typologie", "Financement", "Date de fin de convention"]
            .map(String::from)
            .to_vec(),
    ];
    for (i, fin) in
        ["31/12/2023", "31/12/2023", "30/06/2024", "30/06/2024", "30/06/2024", "31/12/2030"].iter().enumerate()
    {
        rows.push(vec![
            format!("E{i}"),
            "Antibes".into(),
            "Préfecture".into(),
            "T3".into(),
            "PLUS".into(),
            fin.to_string(),
        ]);
    }
    let refs: Vec<Vec<&str>> = rows.iter().map(|r| r.iter().map(String::as_str).collect()).collect();
    let refs: Vec<&[&str]> = refs.iter().map(|r| r.as_slice()).collect();
    classeur(&f, &refs);
    let mut d = Dossier::open(&dossier, false).unwrap();
    let opts = contingents::import::run::ImportOptions { bailleur: Some("Azur".into()), ..Default::default() };
    contingents::import::run::import_files(
        &mut d,
        &[f],
        &opts,
        &contingents::import::run::Silent,
        &std::sync::atomic::AtomicBool::new(false),
    )
    .unwrap();
    dossier
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

#[test]
fn registre_par_l_assistant() {
    let t = Temp::new("registre-assistant");
    let dossier = t.0.join("casa.contingents");
    {
        let d = Dossier::open(&dossier, true).unwrap();
        d.set_parametre("territoire", "240600585").unwrap();
        d.set_parametre("date_reference", "2024-01-01").unwrap();
    }
    // The état des lieux of Habitat Azur and its register, dropped together.
    let edl = t.0.join("habitat_azur_edl_2024.xlsx");
    classeur(
        &edl,
        &[
            &["Référence", "Commune", "Réservataire", "Typologie", "Financement"],
            &["HA-1", "Antibes", "Préfecture", "T2", "PLUS"],
            &["HA-2", "Antibes", "Action Logement", "T3", "PLUS"],
            &["HA-3", "Biot", "Préfecture", "T3", "PLAI"],
        ],
    );
    let registre = t.0.join("habitat_azur_suivi_2024.csv");
    std::fs::write(
        &registre,
        "Référence;Réservataire;Date de mise à disposition;Date signature du bail\r\n\
         HA-1;Préfecture;15/03/2024;30/04/2024\r\n\
         HA-2;Action Logement;02/05/2024;\r\n\
         HA-9;Préfecture;10/06/2024;\r\n\
         HA-3;Préfecture;31/02/2024;\r\n",
    )
    .unwrap();
    let mut h = harness(App::for_tests(dossier.clone()));
    h.run_steps(2);
    let ctx = h.ctx.clone();
    h.state_mut().handle(&ctx, Action::Prepare(vec![registre, edl]));
    h.run_steps(3);
    // One wizard for both: the register recognised by its columns.
    h.get_by_label("Registre des mises à disposition : habitat_azur_suivi_2024.csv");
    h.get_by_label("État des lieux : habitat_azur_edl_2024.xlsx");
    assert!(h.query_by_label_contains("Colonnes reconnues : A → Référence").is_some());
    // Its bailleur is never made up from the file name (« Habitat Azur Suivi »).
    let w = h.state().ecrans.wizard.as_ref().unwrap();
    assert_eq!(w.registres.len(), 1);
    assert_eq!(w.registres[0].bailleur, None);
    h.get_by_label("1 registre sans bailleur : à choisir dans la liste.");
    h.get_by_label("Importer").click();
    h.run_steps(2);
    assert!(!h.state().ecrans.wizard.as_ref().unwrap().fini(), "nothing imported without a bailleur");
    // The état des lieux' bailleur taken from its name, then the register's from the list.
    h.get_by_label("Reprendre « Habitat Azur » (nom du fichier)").click();
    h.run_steps(2);
    choisir(&mut h, "Bailleur du registre", "Habitat Azur");
    assert_eq!(h.state().ecrans.wizard.as_ref().unwrap().registres[0].bailleur.as_deref(), Some("Habitat Azur"));
    h.get_by_label("Importer").click();
    h.run_steps(4);
    // The summary: the register's counts and its rows set aside, with motif and row.
    h.get_by_label("Registre habitat_azur_suivi_2024.csv — Habitat Azur");
    assert!(h.query_by_label_contains("2 mises à disposition").is_some());
    h.get_by_label("  Logement inconnu du dossier : 1");
    h.get_by_label("  Date illisible : 1");
    h.get_by_label("Lignes du registre habitat_azur_suivi_2024.csv mises de côté");
    let w = h.state().ecrans.wizard.as_ref().unwrap();
    let r = &w.registres_importes.as_ref().unwrap()[0];
    let mut rejets: Vec<(u32, &str)> = r.rejets.iter().map(|x| (x.ligne, x.motif.as_str())).collect();
    rejets.sort();
    assert_eq!(rejets, [(4, "logement_inconnu"), (5, "date_illisible")]);
    h.get_by_label("Logement inconnu du dossier");
    // In the dossier: Habitat Azur's register, no bailleur « Habitat Azur Suivi ».
    let d = Dossier::open_read_only(&dossier).unwrap();
    let mads = d.mises_a_disposition(None, None).unwrap();
    assert_eq!(mads.len(), 2);
    assert!(mads.iter().all(|m| m.bailleur == "Habitat Azur"));
    // The bilans follow it: without a flux of 2024, the consolidated bilan says it leaves
    // Habitat Azur out (« flux non enregistré »), with what to do.
    h.get_by_label("Voir les bilans").click();
    h.run_steps(4);
    let b = h.state().ecrans.bilan.as_ref().unwrap().bilan.as_ref().unwrap();
    assert_eq!((b.sans_flux.clone(), b.reservataires.len()), (vec!["Habitat Azur".to_string()], 0));
    h.get_by_label("Flux 2024 non enregistré, bailleurs exclus des objectifs et des réalisations : Habitat Azur.");
    h.get_by_label_contains("enregistrez le flux 2024 (écran Flux)");
}

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

/// The screen's area where nothing may hide: the window, above the status bar.
fn zone_visible(h: &Harness<'static, App>) -> egui::Rect {
    let barre = h.get_by_label("Témoin de la barre d'état").rect();
    egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1280.0, barre.top() - 1.0))
}

/// Every button of the screen, and the column headers named, brought into view one by one
/// as a user would (by scrolling): each must then lie whole inside the window, above the
/// status bar. A column of a wide table is reached as a user does: down to the table (its
/// first column, which stays in place), then sideways — `(colonne, première colonne)`.
fn tout_atteignable(h: &mut Harness<'static, App>, ecran: &str, colonnes: &[(&str, Option<&str>)]) {
    let boutons = h.query_all(By::new().role(egui::accesskit::Role::Button)).count();
    assert!(boutons > 0, "{ecran}: no button?");
    let mut hors = Vec::new();
    for i in 0..boutons {
        let Some(n) = h.query_all(By::new().role(egui::accesskit::Role::Button)).nth(i) else { continue };
        let label = n.accesskit_node().label().unwrap_or_default();
        n.scroll_to_me();
        h.run_steps(3);
        let zone = zone_visible(h);
        let Some(n) = h.query_all(By::new().role(egui::accesskit::Role::Button)).nth(i) else { continue };
        let mut r = n.rect();
        if !zone.contains_rect(r) && r.top() < zone.bottom() {
            // In the part of a wide table that scrolls sideways: reached with the keyboard.
            n.focus();
            h.run_steps(4);
            r = h.query_all(By::new().role(egui::accesskit::Role::Button)).nth(i).map(|n| n.rect()).unwrap_or(r);
        }
        // The status bar's own buttons are below its first line.
        if !(zone.contains_rect(r) || r.top() >= zone.bottom()) || r.right() > 1280.5 || r.left() < -0.5 {
            hors.push(format!("bouton « {label} » {r:?}"));
        }
    }
    for (c, premiere) in colonnes {
        if let Some(p) = premiere {
            h.get_all_by_label(p).next().unwrap_or_else(|| panic!("{ecran}: « {p} »")).scroll_to_me();
            h.run_steps(3);
        }
        let Some(n) = h.query_all_by_label(c).next() else {
            hors.push(format!("colonne « {c} » absente"));
            continue;
        };
        n.scroll_to_me();
        h.run_steps(3);
        let r = h.get_all_by_label(c).next().unwrap().rect();
        if !zone_visible(h).contains_rect(r) {
            hors.push(format!("colonne « {c} » {r:?}"));
        }
    }
    assert!(hors.is_empty(), "{ecran} à 1280 × 720 en mode atelier, hors de la fenêtre : {hors:#?}");
}

#[test]
fn atelier_sans_coupure() {
    let t = Temp::new("atelier-1280");
    let dossier = t.0.join("demo.sqlite");
    contingents::demo::construire_dossier(&dossier).unwrap();
    let mut app = App::for_tests(dossier);
    app.state.workshop = true;
    let mut h = Harness::builder().with_size([1280.0, 720.0]).build_ui_state(|ui, app: &mut App| app.show(ui), app);
    h.run_steps(4);
    assert!((h.ctx.zoom_factor() - 1.6).abs() < 1e-6, "the workshop's enlarged text");
    h.state_mut().messages.dire("Témoin de la barre d'état");
    h.run_steps(2);
    // The consolidation, the dwellings of a cell listed (brought into view after the click).
    h.get_by_label("Consolidation").click();
    h.run_steps(3);
    let g = h.state().ecrans.memo.as_ref().unwrap().grille.clone();
    let n = g.get(contingents::model::Financement::Plus, contingents::model::TypologieGrille::T3);
    let plus_t3 = format!("PLUS T3 : {}", contingents::format::entier(n));
    h.get_by_label(&plus_t3).scroll_to_me();
    h.run_steps(3);
    h.get_by_label(&plus_t3).click();
    h.run_steps(5);
    let titre = h.get_by_label_contains("Logements : ").rect();
    assert!(zone_visible(&h).contains_rect(titre), "the dwellings listed are brought into view: {titre:?}");
    h.state_mut().messages.dire("Témoin de la barre d'état");
    h.run_steps(2);
    let drill = Some("Référence");
    tout_atteignable(
        &mut h,
        "Consolidation",
        &[("T6+", Some("PLAI")), ("TOTAL", Some("PLAI")), ("Part du parc", None), ("Ligne", drill), ("Fichier", drill)],
    );
    // The filter panel folded (F9): the same.
    h.key_press(egui::Key::F9);
    h.run_steps(3);
    tout_atteignable(
        &mut h,
        "Consolidation sans filtres",
        &[("T6+", Some("PLAI")), ("Part du parc", None), ("Ligne", drill)],
    );
    h.key_press(egui::Key::F9);
    h.run_steps(3);
    for (ecran, colonnes) in [
        ("Tableau de bord", vec![]),
        (
            "Flux annuel",
            vec![
                ("Logements", Some("Réservataire")),
                ("Périmètre", Some("Réservataire")),
                ("Flux", Some("Commune")),
                ("Assiette", Some("Commune")),
            ],
        ),
        (
            "Bilans",
            vec![
                ("Décomptés", Some("Réservataire")),
                ("Écart", Some("Réservataire")),
                ("Taux de chute", Some("Réservataire")),
                ("Baux signés", Some("Réservataire")),
            ],
        ),
    ] {
        h.get_by_label(ecran).click();
        h.run_steps(6);
        h.state_mut().messages.dire("Témoin de la barre d'état");
        h.run_steps(2);
        tout_atteignable(&mut h, ecran, &colonnes);
    }
    // The flux screen exists in workshop mode, read only.
    h.get_by_label("Flux annuel").click();
    h.run_steps(4);
    assert!(h.state().ecrans.flux.is_some());
    assert!(h.query_by_label("Enregistrer les paramètres").is_none());
    assert!(h.query_all(By::new().role(egui::accesskit::Role::TextInput).label("Taux de rotation")).next().is_none());
    assert!(h.query_all_by_label("Taux de rotation").count() >= 2, "the parameters shown, and the result");
}

#[test]
fn fermer_pendant_un_import() {
    use std::sync::atomic::Ordering;
    let t = Temp::new("fermer");
    let dossier = dossier_a_echeances(&t);
    let f = t.0.join("toits_de_la_brague_edl.xlsx");
    classeur(
        &f,
        &[
            &["Référence", "Commune", "Réservataire", "Typologie", "Financement"],
            &["TB-1", "Biot", "Préfecture", "T2", "PLUS"],
            &["TB-2", "Valbonne", "Action Logement", "T3", "PLUS"],
        ],
    );
    let mut h = harness(App::for_tests(dossier.clone()));
    h.run_steps(2);
    let avant = chiffres(&h);
    let imports_avant = h.state().view.as_ref().unwrap().historique.len();
    // A real import on its thread, long enough for the user to close the window: it goes on
    // until it is told to stop (as a long import looks at its cancel flag between batches).
    h.state_mut().travaux.synchrone = false;
    let mut prepared = contingents::import::run::prepare_file(&f, Some("Toits de la Brague")).unwrap();
    prepared.devine = false;
    let path = dossier.clone();
    h.state_mut().lancer("import", move |p, cancel| {
        while !cancel.load(Ordering::Relaxed) {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let r = Dossier::open(&path, false).map_err(crate::ui::erreur::Erreur::from).and_then(|mut d| {
            contingents::import::run::write_prepared(
                &mut d,
                vec![prepared],
                &casa(),
                Date::new(2024, 1, 1).unwrap(),
                p,
                cancel,
            )
            .map_err(crate::ui::erreur::Erreur::from)
        });
        crate::ui::tasks::JobOutput::Imported { etats: r, registres: None, reprise: None }
    });
    let fermer = |h: &mut Harness<'static, App>| {
        h.input_mut().viewports.entry(egui::ViewportId::ROOT).or_default().events.push(egui::ViewportEvent::Close);
        h.step();
    };
    let commandes = |h: &Harness<'static, App>| {
        h.output().viewport_output.get(&egui::ViewportId::ROOT).map(|v| v.commands.clone()).unwrap_or_default()
    };
    // The user closes the window: asked, not closed.
    fermer(&mut h);
    assert!(commandes(&h).contains(&egui::ViewportCommand::CancelClose), "{:?}", commandes(&h));
    h.step();
    h.get_by_label("Un import est en cours : l'annuler et fermer ?");
    h.get_by_label("Annulé, l'import ne laisse rien dans le dossier : il reste tel qu'il était avant.");
    // « Continuer l'import »: the question goes, the import goes on.
    h.get_by_label("Continuer l'import").click();
    h.step();
    h.step();
    assert!(h.query_by_label("Un import est en cours : l'annuler et fermer ?").is_none());
    assert!(h.state().travaux.job.is_some() && !h.state().fenetre.fermee);
    // Asked again; this time, cancel and close.
    fermer(&mut h);
    h.step();
    h.get_by_label("Annuler l'import et fermer").click();
    h.step();
    let mut fermee = false;
    for _ in 0..2000 {
        h.step();
        if h.state().fenetre.fermee {
            fermee = commandes(&h).contains(&egui::ViewportCommand::Close) || h.state().fenetre.fermee;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    assert!(fermee, "the window closes once the import has stopped");
    assert!(h.state().travaux.job.is_none());
    // The dossier as it was: same figures, same history.
    let d = Dossier::open_read_only(&dossier).unwrap();
    assert_eq!(d.historique().unwrap().len(), imports_avant);
    let cube = contingents::consolidate::Cube::load(&d).unwrap();
    assert_eq!(cube.total(&Filtre::default()), avant.0);
    assert!(!cube.bailleurs().contains(&"Toits de la Brague".to_string()));
    // A read is not asked about: closing during the flux's computation just closes.
    assert_eq!(crate::ui::screens::question_de_fermeture("flux"), None);
}

/// Issue 19 in the window: a re-import that would empty a bailleur asks first, with both
/// counts; « Annuler » leaves the dossier as it was, « Remplacer quand même » replaces, and
/// the history brings the previous version back.
#[test]
fn remplacer_quand_meme_ou_annuler() {
    let t = Temp::new("perte");
    let dossier = dossier_a_echeances(&t);
    let f = t.0.join("azur_edl_tronque.xlsx");
    classeur(
        &f,
        &[
            &["Référence", "Commune", "Réservataire", "Typologie", "Financement"],
            &["E0", "Antibes", "Préfecture", "T3", "PLUS"],
            &["E1", "Antibes", "Préfecture", "T3", "PLUS"],
        ],
    );
    let mut h = harness(App::for_tests(dossier.clone()));
    h.run_steps(2);
    let total = |h: &Harness<'static, App>| h.state().view.as_ref().unwrap().cube.total(&Filtre::default());
    assert_eq!(total(&h), 6);
    let preparer = |h: &mut Harness<'static, App>| {
        let ctx = h.ctx.clone();
        h.state_mut().handle(&ctx, Action::Prepare(vec![f.clone()]));
        h.run_steps(3);
        h.state_mut().ecrans.wizard.as_mut().unwrap().files[0].bailleur = "Azur".into();
        h.get_by_label("Importer").click();
        h.run_steps(4);
    };
    preparer(&mut h);
    h.get_by_label("Cet import remplacerait la plus grande partie d'un bailleur");
    h.get_by_label("Azur : 6 logements dans le dossier, 2 dans ce fichier.");
    assert_eq!(Dossier::open_read_only(&dossier).unwrap().historique().unwrap().len(), 1, "nothing written");
    h.get_by_label("Annuler").click();
    h.run_steps(3);
    assert!(h.state().ecrans.wizard.is_none());
    assert_eq!(total(&h), 6);
    assert_eq!(Dossier::open_read_only(&dossier).unwrap().historique().unwrap().len(), 1);
    // Again, and this time replaced.
    preparer(&mut h);
    h.get_by_label("Remplacer quand même").click();
    h.run_steps(4);
    h.get_by_label("Résumé de l'import");
    assert_eq!(total(&h), 2);
    let historique = Dossier::open_read_only(&dossier).unwrap().historique().unwrap();
    assert_eq!(historique.len(), 2);
    assert!(!historique[0].actif && historique[1].actif);
    // The previous version, from the history.
    h.get_by_label("Historique").click();
    h.run_steps(2);
    h.get_by_label(&format!("Rétablir n° {}", historique[0].import)).click();
    h.run_steps(4);
    assert_eq!(total(&h), 6);
    assert!(h.state().messages.status.contains("rétabli (état des lieux d'Azur)"), "{}", h.state().messages.status);
}

/// Issue 19 in the window: a register is in the history like an état des lieux, and comes
/// back from it.
#[test]
fn un_registre_se_retablit_depuis_l_historique() {
    use contingents::store::Genre;
    let t = Temp::new("registre-historique");
    let dossier = t.0.join("demo.sqlite");
    contingents::demo::construire_dossier(&dossier).unwrap();
    let lignes_var_logis = |d: &Path| {
        Dossier::open_read_only(d)
            .unwrap()
            .historique()
            .unwrap()
            .into_iter()
            .filter(|e| e.genre == Genre::Registre && e.bailleur == "Var Logis")
            .map(|e| (e.import, e.actif, e.logements))
            .collect::<Vec<_>>()
    };
    let avant = lignes_var_logis(&dossier);
    assert_eq!(avant.len(), 1);
    let (ancien, _, n) = avant[0];
    assert!(n > 10, "the demo's register of Var Logis has its lines");
    let reference: String = contingents::consolidate::logements(
        &Dossier::open_read_only(&dossier).unwrap(),
        &Filtre { bailleur: Some("Var Logis".into()), ..Default::default() },
        None,
        None,
        1,
    )
    .unwrap()[0]
        .reference
        .clone();
    let registre = t.0.join("suivi_var_logis.csv");
    std::fs::write(
        &registre,
        format!(
            "Bailleur;Référence;Réservataire;Date de mise à disposition;Date signature du bail\r\nVar Logis;{reference};Préfecture;15/09/2025;\r\n"
        ),
    )
    .unwrap();
    let mut h = harness(App::for_tests(dossier.clone()));
    h.run_steps(2);
    let ctx = h.ctx.clone();
    h.state_mut().handle(&ctx, Action::Prepare(vec![registre]));
    h.run_steps(3);
    // Its « Bailleur » column names a bailleur of the dossier: taken as written there.
    assert_eq!(h.state().ecrans.wizard.as_ref().unwrap().registres[0].bailleur.as_deref(), Some("Var Logis"));
    h.get_by_label("Importer").click();
    h.run_steps(4);
    h.get_by_label(&format!(
        "Var Logis : {} lignes de registre dans le dossier, 1 dans ce fichier.",
        contingents::format::entier(n as u64)
    ));
    h.get_by_label("Remplacer quand même").click();
    h.run_steps(4);
    h.get_by_label("Registre suivi_var_logis.csv — Var Logis");
    let apres = lignes_var_logis(&dossier);
    assert_eq!(apres.len(), 2);
    assert!(apres.iter().any(|(i, actif, l)| *i != ancien && *actif && *l == 1));
    // The history shows the register and brings the previous one back.
    h.get_by_label("Historique").click();
    h.run_steps(2);
    assert!(h.query_all_by_label("registre").count() >= 2, "the registers are in the history");
    h.get_by_label(&format!("Rétablir n° {ancien}")).click();
    h.run_steps(4);
    assert!(lignes_var_logis(&dossier).iter().any(|(i, actif, l)| *i == ancien && *actif && *l == n));
    assert!(h.state().messages.status.contains("rétabli (registre de Var Logis)"), "{}", h.state().messages.status);
}

/// Issue 19 in the window: two-digit years of end-of-convention dates wait, set aside, until
/// the user says once, in « Libellés », 19xx or 20xx for the file's column.
#[test]
fn annees_a_deux_chiffres_tranchees_dans_libelles() {
    let t = Temp::new("siecle");
    let dossier = t.0.join("siecle.contingents");
    {
        let d = Dossier::open(&dossier, true).unwrap();
        d.set_parametre("territoire", "240600585").unwrap();
        d.set_parametre("date_reference", "2024-01-01").unwrap();
    }
    let f = t.0.join("azur_edl.xlsx");
    classeur(
        &f,
        &[
            &["Référence", "Commune", "Réservataire", "Typologie", "Financement", "Date de fin de convention"],
            &["S1", "Antibes", "Préfecture", "T3", "PLUS", "31/12/45"],
            &["S2", "Antibes", "Préfecture", "T2", "PLUS", "30/06/45"],
            &["S3", "Biot", "Préfecture", "T2", "PLUS", "31/12/2030"],
        ],
    );
    let mut h = harness(App::for_tests(dossier.clone()));
    h.run_steps(2);
    let ctx = h.ctx.clone();
    h.state_mut().handle(&ctx, Action::Prepare(vec![f]));
    h.run_steps(3);
    h.state_mut().ecrans.wizard.as_mut().unwrap().files[0].bailleur = "Azur".into();
    h.get_by_label("Importer").click();
    h.run_steps(4);
    h.get_by_label("Voir la consolidation").click();
    h.run_steps(3);
    assert_eq!(chiffres(&h).0, 1, "the two dates of 45 wait");
    assert_eq!(h.state().view.as_ref().unwrap().dates_ambigues.len(), 1);
    h.get_by_label("Libellés à rapprocher").click();
    h.run_steps(3);
    h.get_by_label("Années à deux chiffres");
    assert!(h.query_by_label_contains("colonne « Date de fin de convention » (Azur) : 2 lignes").is_some());
    h.get_by_label("20xx (années 2000)").click();
    h.run_steps(4);
    // In 2045 the rights are active: two more dwellings, no extinct right.
    assert_eq!(chiffres(&h).0, 3);
    assert_eq!(chiffres(&h).3, 0);
    assert!(h.state().view.as_ref().unwrap().dates_ambigues.is_empty());
    assert!(h.state().messages.status.contains("2 lignes réintégrées"), "{}", h.state().messages.status);
}

/// Homonyms: « VILLE GOURDON » is proposed the four communes of Gourdon, each with its
/// département, and the confirmation names the full choice.
#[test]
fn homonymes_avec_leur_departement() {
    let t = Temp::new("homonymes");
    // France entière: no territory chooses among the four Gourdon.
    let dossier = t.0.join("france.contingents");
    Dossier::open(&dossier, true).unwrap();
    let f = t.0.join("bailleur_lot_edl.xlsx");
    classeur(
        &f,
        &[
            &["Référence", "Code INSEE", "Réservataire", "Typologie", "Financement"],
            &["L1", "46127", "VILLE GOURDON", "T3", "PLUS"],
            &["L2", "46127", "VILLE GOURDON", "T2", "PLUS"],
        ],
    );
    let mut h = harness(App::for_tests(dossier.clone()));
    h.run_steps(2);
    let ctx = h.ctx.clone();
    h.state_mut().handle(&ctx, Action::Prepare(vec![f]));
    h.run_steps(3);
    h.state_mut().ecrans.wizard.as_mut().unwrap().files[0].bailleur = "Lot Habitat".into();
    h.get_by_label("Importer").click();
    h.run_steps(4);
    h.get_by_label("Libellés à rapprocher").click();
    h.run_steps(3);
    h.get_by_label("VILLE GOURDON");
    h.get_by_label("Associer « VILLE GOURDON » à…").click();
    h.run_steps(3);
    for g in [
        "Commune de Gourdon (Alpes-Maritimes, 06068)",
        "Commune de Gourdon (Ardèche, 07098)",
        "Commune de Gourdon (Lot, 46127)",
        "Commune de Gourdon (Saône-et-Loire, 71222)",
    ] {
        assert!(h.query_by_label(g).is_some(), "« {g} » proposed");
    }
    h.get_by_label("Commune de Gourdon (Lot, 46127)").click();
    h.run_steps(3);
    assert!(
        h.query_by_label_contains("Associer « VILLE GOURDON » à Commune de Gourdon (Lot, 46127) ?").is_some(),
        "the confirmation names the full choice"
    );
    h.get_by_label("Confirmer l'association").click();
    h.run_steps(4);
    let v = h.state().view.as_ref().unwrap();
    assert_eq!(v.cube.total(&Filtre { reservataire: Some("commune:46127".into()), ..Default::default() }), 2);
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
