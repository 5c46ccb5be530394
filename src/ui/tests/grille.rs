//! The consolidation and the dashboard through the window: the grid of a réservataire, the
//! filters, a click on a bar, the published PACA grid equal to `grid --format json`, no
//! internal identifier on any screen.

use super::*;

#[test]
fn the_demo_dossier_shows_the_grid_of_the_chosen_reservataire() {
    let t = Temp::new("demo");
    let dossier = t.0.join("demo.sqlite");
    contingents::demo::construire_dossier(&dossier).unwrap();
    let mut h = harness(App::for_tests(dossier.clone()));
    h.run_steps(2);
    h.get_by_label("Consolidation");
    // Choose « État » in the réservataire drop-down of the filter panel.
    choisir(&mut h, "Réservataire (grille)", "État (contingent préfectoral)");
    assert_eq!(h.state().state.reservataire.as_deref(), Some("etat"));
    h.get_by_label("Grille financement × typologie — État (contingent préfectoral)");
    let g = core_grid(&dossier, "etat");
    assert!(g.total() > 0);
    // The PLUS × T3 cell and the grand total, as written on screen.
    let plus_t3 = format!("PLUS T3 : {}", entier(g.get(Financement::Plus, TypologieGrille::T3)));
    h.get_by_label(&format!("Total général : {}", entier(g.total())));
    // A click on the cell lists its dwellings with their source.
    h.get_by_label(&plus_t3).click();
    h.run_steps(2);
    let drill = h.state().ecrans.drill.as_ref().expect("dwellings listed");
    assert_eq!(drill.logements.len() as u64, g.get(Financement::Plus, TypologieGrille::T3));
    assert!(drill.logements.iter().all(|l| l.ligne > 0 && !l.fichier.is_empty()));
    h.get_by_label("Logements : État (contingent préfectoral) — PLUS — T3");
    // Closed by its button (once the list is brought into view), or by Échap.
    h.run_steps(10);
    h.get_by_label("Fermer la liste").click();
    h.run_steps(2);
    assert!(h.state().ecrans.drill.is_none());
    h.get_by_label(&plus_t3).scroll_to_me();
    h.run_steps(3);
    h.get_by_label(&plus_t3).click();
    h.run_steps(3);
    assert!(h.state().ecrans.drill.is_some());
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    assert!(h.state().ecrans.drill.is_none() && h.query_by_label("Fermer la liste").is_none());
    // Under a commune's filter, the list says it (it follows the filters).
    let toulon = Filtre { commune: Some("83137".into()), ..Filtre::default() };
    let ctx = h.ctx.clone();
    h.state_mut().handle(&ctx, Action::SetFilters(toulon));
    h.run_steps(2);
    h.state_mut().handle(
        &ctx,
        Action::Drill {
            reservataire: Some("etat".into()),
            financement: Some(Financement::Plus),
            typologie: Some(TypologieGrille::T3),
        },
    );
    h.run_steps(3);
    let perimetre = h.state().state.filters.description().expect("a commune chosen");
    assert!(perimetre.contains("Toulon"), "{perimetre}");
    h.get_by_label(&format!("Logements : État (contingent préfectoral) — PLUS — T3 — {perimetre}"));
}

#[test]
fn a_click_on_a_bar_filters_the_dashboard() {
    let t = Temp::new("tableau");
    let dossier = t.0.join("demo.sqlite");
    contingents::demo::construire_dossier(&dossier).unwrap();
    let mut h = harness(App::for_tests(dossier));
    h.run_steps(2);
    h.get_by_label("Tableau de bord").click();
    h.run_steps(2);
    h.get_by_label("Logements par commune").click();
    h.run_steps(3);
    let data = h.state().ecrans.graphique.as_ref().unwrap().data[0].clone();
    let toulon = data.bars.iter().find(|b| b.key == "83137").expect("Toulon among the bars").clone();
    assert_eq!(toulon.label, "Toulon");
    // Each bar is a button named by its figure, drawn by the window (no picture).
    h.get_by_label(&format!("Toulon : {}", contingents::format::logements(toulon.value))).click();
    h.run_steps(3);
    assert_eq!(h.state().state.filters.commune.as_deref(), Some("83137"));
    // The chart clicked keeps all its bars (Toulon stands out); the key figures follow.
    let c = h.state().ecrans.graphique.as_ref().unwrap();
    assert_eq!(c.data[0].bars.len(), data.bars.len());
    assert_eq!(c.chiffres.logements, toulon.value);
    // Another chart is filtered: the réservataires of Toulon only.
    h.get_by_label("Logements par réservataire").click();
    h.run_steps(3);
    let r = h.state().ecrans.graphique.as_ref().unwrap().data[0].clone();
    assert_eq!(r.total, toulon.value);
    // A click on a réservataire limits the dashboard to it; its chart keeps every bar.
    let etat = r.bars.iter().find(|b| b.key == "etat").unwrap().clone();
    h.get_by_label(&format!("{} : {}", etat.label, contingents::format::logements(etat.value))).click();
    h.run_steps(3);
    assert!(h.state().state.graphique.par_reservataire);
    assert_eq!(h.state().state.reservataire.as_deref(), Some("etat"));
    assert_eq!(h.state().ecrans.graphique.as_ref().unwrap().data[0].bars.len(), r.bars.len());
    assert_eq!(h.state().ecrans.graphique.as_ref().unwrap().chiffres.logements, etat.value);
    // « Effacer les filtres » clears both.
    h.get_by_label("Effacer les filtres").click();
    h.run_steps(3);
    assert!(h.state().state.filters.commune.is_none() && !h.state().state.graphique.par_reservataire);
    let total = h.state().view.as_ref().unwrap().cube.chiffres_cles(&Default::default()).logements;
    assert_eq!(h.state().ecrans.graphique.as_ref().unwrap().chiffres.logements, total);
}

#[test]
fn the_published_paca_grid_in_the_window_equals_grid_json() {
    let t = Temp::new("paca");
    let dossier = t.0.join("d.sqlite");
    {
        let d = Dossier::open(&dossier, true).unwrap();
        d.set_parametre("territoire", "248300543").unwrap();
    }
    let file = t.0.join("bailleur_paca_edl.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["Référence", "Code INSEE", "Réservataire", "Typologie", "Financement"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let grid =
        [("PLAI", [38, 94, 221, 78, 22, 0]), ("PLUS", [73, 354, 406, 378, 89, 3]), ("PLS", [41, 55, 98, 38, 12, 0])];
    let mut r = 1u32;
    for (fin, counts) in grid {
        for (t, n) in ["T1", "T2", "T3", "T4", "T5", "T6"].iter().zip(counts) {
            for _ in 0..n {
                for (c, v) in [format!("R{r}"), "83137".into(), "RÉSERVATAIRE A".into(), t.to_string(), fin.to_string()]
                    .iter()
                    .enumerate()
                {
                    ws.write_string(r, c as u16, v).unwrap();
                }
                r += 1;
            }
        }
    }
    wb.save(&file).unwrap();
    {
        // « RÉSERVATAIRE A » is mapped once by the user to Action Logement.
        let d = Dossier::open(&dossier, false).unwrap();
        d.set_mapping(contingents::model::ChampLibelle::Reservataire, "RÉSERVATAIRE A", "action-logement").unwrap();
    }
    let mut h = harness(App::for_tests(dossier.clone()));
    h.run_steps(2);
    let ctx = h.ctx.clone();
    h.state_mut().handle(&ctx, Action::Prepare(vec![file]));
    h.run_steps(2);
    h.state_mut().ecrans.wizard.as_mut().unwrap().files[0].bailleur = "Bailleur PACA".into();
    h.get_by_label("Importer").click();
    h.run_steps(3);
    h.get_by_label("Voir la consolidation").click();
    h.run_steps(2);
    choisir(&mut h, "Réservataire (grille)", "Action Logement");
    // The grid of `grid --format json` (the same core function as the command line).
    let f =
        Filtre { reservataire: Some("action-logement".into()), epci: Some("248300543".into()), ..Default::default() };
    let json = Cube::load(&Dossier::open_read_only(&dossier).unwrap()).unwrap().grille(&f).json(
        "action-logement",
        None,
        Some("248300543"),
        None,
    );
    for (fin, t, expected) in [("PLAI", "T3", 221), ("PLUS", "T2", 354), ("PLS", "T1", 41), ("PLUS", "T6+", 3)] {
        assert_eq!(json["lignes"][fin][t], expected);
        h.get_by_label(&format!("{fin} {t} : {}", entier(expected)));
    }
    assert_eq!(json["lignes"]["TOTAL"]["TOTAL"], 2000);
    h.get_by_label(&format!("Total général : {}", entier(2000)));
}

#[test]
fn grille_total_et_filtres() {
    let t = Temp::new("grille");
    let dossier = t.0.join("demo.sqlite");
    contingents::demo::construire_dossier(&dossier).unwrap();
    let mut h = harness(App::for_tests(dossier.clone()));
    h.run_steps(3);
    h.state_mut().state.reservataire = Some("etat".into());
    h.run_steps(2);
    assert!(h.query_by_label("Parc total").is_some() || h.query_by_label_contains("Parc total").is_some());
    let tout_le_dossier = "Dans tout le dossier (pas seulement le parc filtré) : ";
    assert!(h.query_by_label_contains(tout_le_dossier.trim_end()).is_none());
    // A filter: the titles name it, and the total row is the core's sum under it.
    h.state_mut().state.filters.commune = Some("83137".into());
    h.run_steps(3);
    assert!(h.query_by_label("Parc filtré : Commune de Toulon").is_some());
    // The anomalies line counts the whole dossier: said so under a filtered park (testergui).
    assert!(h.query_by_label_contains(tout_le_dossier.trim_end()).is_some());
    assert!(
        h.query_by_label_contains("Grille financement × typologie — État (contingent préfectoral) — Commune de Toulon")
            .is_some()
    );
    let d = Dossier::open_read_only(&dossier).unwrap();
    let cube = Cube::load(&d).unwrap();
    let f = Filtre { reservataire: Some("etat".into()), commune: Some("83137".into()), ..Default::default() };
    let g = cube.grille(&f);
    assert!(g.total() > 0);
    h.get_by_label(&format!("Total général : {}", entier(g.total())));
    for t in TypologieGrille::ALL {
        h.get_by_label(&format!("Total {t} : {}", entier(g.column_total(t))));
    }
    assert_eq!(TypologieGrille::ALL.iter().map(|t| g.column_total(*t)).sum::<u64>(), g.total());
    // The dwellings of a cell follow the filters when they change.
    let ctx = h.ctx.clone();
    h.state_mut().handle(&ctx, Action::Drill { reservataire: Some("etat".into()), financement: None, typologie: None });
    h.run_steps(2);
    assert_eq!(h.state().ecrans.drill.as_ref().unwrap().logements.len() as u64, g.total());
    let bailleur = "Var Logis".to_string();
    h.state_mut().state.filters.bailleur = Some(bailleur.clone());
    h.run_steps(3);
    let f2 = Filtre { bailleur: Some(bailleur.clone()), ..f };
    let listed = &h.state().ecrans.drill.as_ref().unwrap().logements;
    assert_eq!(listed.len() as u64, cube.total(&f2));
    assert!(listed.iter().all(|l| l.bailleur == bailleur && l.commune == "83137"));
    assert!(h.query_by_label("Parc filtré : Commune de Toulon, Var Logis").is_some());
}

#[test]
fn no_internal_identifier_on_any_screen() {
    use egui_kittest::kittest::By;
    let t = Temp::new("identifiants");
    let dossier = t.0.join("demo.sqlite");
    contingents::demo::construire_dossier(&dossier).unwrap();
    let d = Dossier::open_read_only(&dossier).unwrap();
    let mut ids: Vec<String> = Cube::load(&d).unwrap().reservataires().into_iter().filter(|r| r != "etat").collect();
    ids.extend(["etat-fonctionnaires", "action-logement", "non-reserve"].map(String::from));
    // Field keys of the dossier (« reservataire » in the labels' table) are internal too.
    ids.extend(["reservataire", "individuel_collectif"].map(String::from));
    let mut h = harness(App::for_tests(dossier.clone()));
    h.run_steps(3);
    h.state_mut().state.reservataire = Some("action-logement".into());
    for screen in ECRANS {
        h.get_by_label(screen).click();
        h.run_steps(4);
        // The same search finds what is really shown (the query is not blind).
        assert!(
            h.query_all(By::new().predicate(|n| n.label().is_some_and(|l| l.contains(screen)))).next().is_some(),
            "{screen}"
        );
        for id in &ids {
            let found: Vec<String> = h
                .query_all(By::new().predicate(move |n| {
                    n.label().is_some_and(|l| l.contains(id.as_str()))
                        || n.value().is_some_and(|v| v.contains(id.as_str()))
                }))
                .map(|n| format!("{n:?}").chars().take(200).collect())
                .collect();
            assert!(found.is_empty(), "« {id} » shown on {screen}: {found:?}");
        }
    }
}

/// The grid the command line computes (`grid --format json` calls the same core function).
fn core_grid(dossier: &Path, reservataire: &str) -> contingents::consolidate::Grille {
    let d = Dossier::open_read_only(dossier).unwrap();
    Cube::load(&d).unwrap().grille(&Filtre { reservataire: Some(reservataire.into()), ..Default::default() })
}
