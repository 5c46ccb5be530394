//! The import step: a register through the wizard, closing during an import, an import that
//! would lose dwellings, a register restored from the history, the labels to settle after it.

use super::super::{Temp, choisir, classeur, harness};
use super::{casa, chiffres, dossier_a_echeances};
use crate::ui::app::App;
use crate::ui::state::Action;
use contingents::consolidate::Filtre;
use contingents::model::Date;
use contingents::store::Dossier;
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::path::Path;

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
    // The état des lieux' bailleur taken from its name, then the register's.
    assert!(h.query_by_label_contains("Prendre « Habitat").is_none(), "no bailleur in the dossier yet");
    h.get_by_label("Reprendre « Habitat Azur » (nom du fichier)").click();
    h.run_steps(2);
    // The register's bailleur, now one of the dossier, proposed from its file's name: a click.
    h.get_by_label("Prendre « Habitat Azur » (nom du fichier)").click();
    h.run_steps(2);
    assert!(h.query_by_label("Prendre « Habitat Azur » (nom du fichier)").is_none());
    assert_eq!(h.state().ecrans.wizard.as_ref().unwrap().registres[0].bailleur.as_deref(), Some("Habitat Azur"));
    h.get_by_label("Importer").click();
    h.run_steps(4);
    // The summary: the register's counts and its rows set aside, with motif and row.
    h.get_by_label("Registre habitat_azur_suivi_2024.csv — Habitat Azur");
    // (in the counts, and in a remark of the import now shown as the command line prints it)
    assert!(h.query_all_by_label_contains("2 mises à disposition").count() >= 1);
    h.get_by_label("  Logement inconnu du dossier : 1");
    h.get_by_label("  Date illisible : 1");
    h.get_by_label("Lignes du registre habitat_azur_suivi_2024.csv mises de côté");
    // A CSV has no sheets: no column of « — ».
    assert!(h.query_by_label("Feuille").is_none());
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
    // Habitat Azur's own bilan: its register does not say the households — the réservataire
    // with a lease is named on one line (its leases, its objective), not given an empty bar.
    choisir(&mut h, "Bailleur", "Habitat Azur");
    h.run_steps(6);
    let b = h.state().ecrans.bilan.as_ref().unwrap().bilan.as_ref().unwrap().clone();
    let etat = b.reservataires.iter().find(|r| r.id == "etat").expect("the State's lease");
    assert_eq!((etat.baux_signes, etat.menages_renseignes, etat.objectif_prioritaires), (1, 0, Some(1.0)));
    h.get_by_label("Ménage d'aucun bail renseigné, pas de part à mesurer : État (contingent préfectoral) (1 bail, objectif 100\u{a0}%).");
    assert!(h.query_all_by_label_contains("0 sur 0 baux").next().is_none());
    h.get_by_label("Habitat Azur — en QPV : ménages des quartiles 2 à 4 : pas de part à mesurer, aucun bail signé sur la période (objectif 50\u{a0}%)");
    h.get_by_label("Habitat Azur — hors QPV : ménages du premier quartile (ou relogés ANRU, ORCOD) : pas de part à mesurer, aucun ménage renseigné sur 1 bail (objectif 25\u{a0}%)");
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

/// The window closed during an import that ends while the question is shown: the question
/// does not vanish unanswered (the import written, the closing dropped) — the end is said,
/// and the closing asked again.
#[test]
fn un_import_qui_finit_pendant_la_question_de_fermeture() {
    let t = Temp::new("fin-pendant");
    let dossier = dossier_a_echeances(&t);
    let mut h = harness(App::for_tests(dossier));
    h.run_steps(2);
    h.state_mut().travaux.synchrone = false;
    let (fin, attente) = std::sync::mpsc::channel::<()>();
    h.state_mut().lancer("import", move |_, _| {
        let _ = attente.recv();
        crate::ui::tasks::JobOutput::Imported { etats: Ok(vec![]), registres: None, reprise: None }
    });
    let fermer = |h: &mut Harness<'static, App>| {
        h.input_mut().viewports.entry(egui::ViewportId::ROOT).or_default().events.push(egui::ViewportEvent::Close);
        h.step();
    };
    fermer(&mut h);
    h.step();
    h.get_by_label("Un import est en cours : l'annuler et fermer ?");
    // The import ends meanwhile.
    fin.send(()).unwrap();
    for _ in 0..2000 {
        h.step();
        if h.state().travaux.job.is_none() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    assert!(h.state().travaux.job.is_none());
    h.step();
    assert!(h.query_by_label("Un import est en cours : l'annuler et fermer ?").is_none());
    h.get_by_label("Le travail en cours s'est terminé pendant la question.");
    assert!(!h.state().fenetre.fermee, "not closed without the user's word");
    // « Ne pas fermer »: the window stays; asked again and « Fermer maintenant »: closed.
    h.get_by_label("Ne pas fermer").click();
    h.step();
    h.step();
    assert!(h.query_by_label("Le travail en cours s'est terminé pendant la question.").is_none());
    assert!(!h.state().fenetre.fermee);
    h.state_mut().ecrans.fermeture = true;
    h.step();
    h.get_by_label("Fermer maintenant").click();
    h.step();
    assert!(h.state().fenetre.fermee);
}
