//! The rules of the shares (domaine.md), each on a small case computed by hand.

use super::*;

fn g(commune: &str, res: &str, n: u64) -> Groupe {
    Groupe {
        commune: commune.into(),
        reservataire: res.into(),
        financement: Financement::Plus,
        typologie: TypologieGrille::T3,
        qpv: false,
        nature: None,
        logements: n,
    }
}

/// Parameters giving a flux of exactly `assiette × rotation %` (no mutations).
fn params(rotation: f64) -> FluxParametres {
    FluxParametres { rotation_pct: Some(rotation), mutations: Some(0), ..Default::default() }
}

fn regles(f: &Flux) -> Vec<&str> {
    f.alertes.iter().map(|a| a.regle.as_str()).collect()
}

/// Every sum of the breakdown falls right: rows, columns, total.
fn check_margins(f: &Flux) {
    assert_eq!(f.reservataires.iter().map(|r| r.logements).sum::<u64>(), f.flux, "parts sum to the flux");
    assert_eq!(f.communes.iter().map(|c| c.flux).sum::<u64>(), f.flux, "communes sum to the flux");
    for c in &f.communes {
        assert_eq!(c.reservataires.iter().map(|r| r.logements).sum::<u64>(), c.flux, "commune {}", c.commune);
    }
    for r in &f.reservataires {
        let by_commune: u64 =
            f.communes.iter().flat_map(|c| c.reservataires.iter()).filter(|x| x.id == r.id).map(|x| x.logements).sum();
        assert_eq!(by_commune, r.logements, "{} over the communes", r.id);
        let q: u64 = f.flux_qualifie.get(&r.id).map(|v| v.iter().map(|c| c.logements).sum()).unwrap_or(0);
        assert_eq!(q, r.logements, "flux qualifié of {}", r.id);
    }
}

#[test]
fn the_published_example_268_with_no_state_share() {
    let groupes =
        [g("06004", "action-logement", 2000), g("06004", "departement:06", 2760), g("06004", "autre:la-poste", 607)];
    let p = FluxParametres { taux_etat_pct: Some(0.0), ..params(5.0) };
    let f = calculer("B", "E", 2024, &groupes, &p);
    assert_eq!((f.parc, f.assiette, f.liberations, f.flux), (5367, 5367, 268, 268));
    assert_eq!(
        (f.logements("action-logement"), f.logements("departement:06"), f.logements("autre:la-poste")),
        (100, 138, 30)
    );
    assert_eq!(f.logements_etat(), 0);
    assert_eq!(f.logements("non-reserve"), 0);
    assert!((f.part("action-logement").unwrap().taux - 2000.0 / 5367.0).abs() < 1e-12);
    check_margins(&f);
}

#[test]
fn ornex_parc_exclusions_assiette_and_the_communes_rate_on_its_commune() {
    let mut groupes = vec![g("01281", "commune:01281", 32), g("01281", "non-reserve", 180)];
    groupes.push(Groupe { financement: Financement::Pli, ..g("01281", "non-reserve", 20) });
    groupes.push(Groupe { nature: Some("Résidence sociale".into()), ..g("01281", "non-reserve", 14) });
    groupes.push(g("01160", "non-reserve", 500)); // another commune of the EPCI
    let f = calculer("B", "200042497", 2024, &groupes, &params(10.0));
    let ornex = f.communes.iter().find(|c| c.commune == "01281").unwrap();
    assert_eq!((ornex.parc, ornex.exclus, ornex.assiette), (246, 34, 212));
    // The keys of `interfaces.md`: `"exclusions": {"PLI": …}`.
    assert_eq!(f.exclusions["PLI"], 20);
    assert_eq!(f.exclusions[MOTIF_FOYERS], 14);
    let c = f.part("commune:01281").unwrap();
    assert_eq!(c.perimetre, Perimetre::Commune("01281".into()));
    assert_eq!((c.stock, c.assiette), (32, 212));
    assert_eq!(crate::format::pourcentage(c.taux), "15,1\u{a0}%");
    check_margins(&f);
}

#[test]
fn the_state_gets_whole_dwellings_within_30_percent_by_default() {
    // F = 95 → 28, never 29; F = 57 → 17; whether or not the State has stock here.
    for (assiette, with_stock, want) in [(950, false, 28), (950, true, 28), (570, false, 17), (1000, false, 30)] {
        let mut groupes = vec![g("06004", "non-reserve", assiette - 100), g("06004", "action-logement", 100)];
        if with_stock {
            groupes[0].logements -= 50;
            groupes.push(g("06004", "etat", 50));
        }
        let f = calculer("B", "E", 2024, &groupes, &params(10.0));
        assert_eq!(f.logements_etat(), want, "assiette {assiette}");
        let r = regles(&f);
        for legal in ["etat_max_30", "fonctionnaires_max_5", "etat_hors_qpv_min_30", "total_sup_100"] {
            assert!(!r.contains(&legal), "the defaults raised {legal}: {:?}", f.alertes);
        }
        assert!(
            f.alertes.iter().any(|a| a.regle == "parametre_par_defaut" && a.reservataire.as_deref() == Some("etat"))
        );
        assert_eq!(f.part("etat").unwrap().origine, "defaut");
        check_margins(&f);
    }
}

#[test]
fn fonctionnaires_are_inside_the_states_30_percent() {
    // Their stock is 8 % of the assiette: by default 5 %, flagged; the State total stays ⌊30 % F⌋.
    let groupes = [g("06004", "etat-fonctionnaires", 80), g("06004", "non-reserve", 920)];
    let f = calculer("B", "E", 2024, &groupes, &params(10.0)); // F = 100
    assert_eq!(f.logements("etat-fonctionnaires"), 5);
    assert_eq!(f.logements("etat"), 25);
    assert_eq!(f.logements_etat(), 30);
    assert!(!regles(&f).contains(&"fonctionnaires_max_5"));
    assert!(f.alertes_de("etat-fonctionnaires").any(|a| a.regle == "parametre_par_defaut"));
    // The State's request for the year: 3 %.
    let p = FluxParametres { taux_fonctionnaires_pct: Some(3.0), ..params(10.0) };
    let f = calculer("B", "E", 2024, &groupes, &p);
    assert_eq!((f.logements("etat-fonctionnaires"), f.logements("etat")), (3, 27));
    // Above 5 %: an alert, and still at most ⌊5 % F⌋.
    let p = FluxParametres { taux_fonctionnaires_pct: Some(7.0), ..params(10.0) };
    let f = calculer("B", "E", 2024, &groupes, &p);
    assert!(regles(&f).contains(&"fonctionnaires_max_5"));
    assert_eq!(f.logements("etat-fonctionnaires"), 5);
}

#[test]
fn a_state_share_above_30_percent_needs_an_arrete() {
    let groupes = [g("06004", "non-reserve", 1000)];
    let p = FluxParametres { taux_etat_pct: Some(35.0), ..params(10.0) };
    let f = calculer("B", "E", 2024, &groupes, &p);
    assert!(regles(&f).contains(&"etat_max_30"));
    assert_eq!(f.logements_etat(), 30, "capped without an arrêté");
    let p = FluxParametres { arrete_prefectoral: Some("arrêté n° 2024-17 du 3 janvier 2024".into()), ..p };
    let f = calculer("B", "E", 2024, &groupes, &p);
    assert!(!regles(&f).contains(&"etat_max_30"));
    assert_eq!(f.logements_etat(), 35);
    // A lower rate (clause de revoyure) is the user's to set.
    let p = FluxParametres { taux_etat_pct: Some(25.0), ..params(10.0) };
    assert_eq!(calculer("B", "E", 2024, &groupes, &p).logements_etat(), 25);
}

#[test]
fn a_commune_above_20_percent_on_its_territory_but_not_on_the_epci() {
    // Commune A: assiette 100, 30 reserved by the commune; commune B: assiette 900.
    let groupes = [g("06004", "commune:06004", 30), g("06004", "non-reserve", 70), g("06018", "non-reserve", 900)];
    let f = calculer("B", "240600585", 2024, &groupes, &params(10.0)); // F = 100
    let part = f.part("commune:06004").unwrap();
    assert!((part.taux - 0.30).abs() < 1e-12, "30 % of its own commune, not 3 % of the EPCI");
    let fa = f.communes.iter().find(|c| c.commune == "06004").unwrap();
    assert_eq!(fa.flux, 10);
    assert_eq!(part.logements, 3, "30 % × the commune's flux of 10");
    let a: Vec<&Alerte> = f.alertes.iter().filter(|a| a.regle == "collectivite_max_20").collect();
    assert_eq!(a.len(), 1, "{:?}", f.alertes);
    assert_eq!((a[0].reservataire.as_deref(), a[0].commune.as_deref()), (Some("commune:06004"), Some("06004")));
    // Only in its commune.
    let fb = f.communes.iter().find(|c| c.commune == "06018").unwrap();
    assert!(!fb.reservataires.iter().any(|r| r.id == "commune:06004"));
    check_margins(&f);
    // Granted for land or funding: outside the cap, no alert.
    let p = FluxParametres { apports: ["commune:06004".to_string()].into(), ..params(10.0) };
    let f = calculer("B", "240600585", 2024, &groupes, &p);
    assert!(!regles(&f).contains(&"collectivite_max_20"));
    assert!(f.part("commune:06004").unwrap().apport);
}

#[test]
fn collectivites_add_up_in_the_commune() {
    // Commune 12 %, EPCI 6 %, département 5 %: 23 % together in the commune → three alerts.
    let groupes = [
        g("06004", "commune:06004", 120),
        g("06004", "epci:240600585", 60),
        g("06004", "departement:06", 50),
        g("06004", "non-reserve", 770),
    ];
    let f = calculer("B", "240600585", 2024, &groupes, &params(10.0));
    let who: BTreeSet<&str> = f
        .alertes
        .iter()
        .filter(|a| a.regle == "collectivite_max_20")
        .filter_map(|a| a.reservataire.as_deref())
        .collect();
    assert_eq!(who, ["commune:06004", "departement:06", "epci:240600585"].into_iter().collect());
}

#[test]
fn above_100_percent_the_others_are_reduced_pro_rata_and_the_state_keeps_its_share() {
    // Action Logement 60 %, La Poste 30 %: with the State's 30 %, 120 %.
    let groupes =
        [g("06004", "action-logement", 600), g("06004", "autre:la-poste", 300), g("06004", "non-reserve", 100)];
    let f = calculer("B", "E", 2024, &groupes, &params(10.0)); // F = 100
    assert_eq!(f.logements_etat(), 30);
    assert_eq!((f.logements("action-logement"), f.logements("autre:la-poste")), (47, 23));
    assert_eq!(f.logements("non-reserve"), 0);
    let al = f.part("action-logement").unwrap();
    assert!((al.taux - 0.60).abs() < 1e-12);
    assert!((al.taux_reduit.unwrap() - 0.60 * 70.0 / 90.0).abs() < 1e-9);
    assert!(regles(&f).contains(&"reduction_prorata"));
    assert!(regles(&f).contains(&"total_sup_100"));
    check_margins(&f);
}

#[test]
fn the_state_outside_qpv_follows_the_assiette_even_when_its_stock_is_all_in_qpv() {
    let mut groupes = vec![Groupe { qpv: true, ..g("06004", "etat", 100) }];
    groupes.push(Groupe { qpv: true, ..g("06004", "non-reserve", 100) });
    groupes.push(g("06004", "non-reserve", 800));
    let f = calculer("B", "E", 2024, &groupes, &params(10.0)); // F = 100, H = 80
    let hors: u64 = f.flux_qualifie.values().take(0).count() as u64
        + ["etat", "etat-fonctionnaires"]
            .iter()
            .flat_map(|id| f.flux_qualifie.get(*id).into_iter().flatten())
            .filter(|c| !c.qpv)
            .map(|c| c.logements)
            .sum::<u64>();
    assert_eq!(hors, 24, "round(30 × 80 %) = 24 ≥ ⌊30 % × 80⌋ = 24");
    assert!(!regles(&f).contains(&"etat_hors_qpv_min_30"));
    // A lower State rate makes the floor impossible: the alert says so.
    let p = FluxParametres { taux_etat_pct: Some(10.0), ..params(10.0) };
    let f = calculer("B", "E", 2024, &groupes, &p);
    assert!(regles(&f).contains(&"etat_hors_qpv_min_30"), "{:?}", f.alertes);
}

#[test]
fn uniform_state_and_exact_margins_over_many_communes() {
    let communes = ["06004", "06018", "06030", "06152", "06155", "06161", "06025"];
    let mut groupes = Vec::new();
    for (i, c) in communes.iter().enumerate() {
        let n = 37 + 53 * i as u64;
        groupes.push(g(c, "non-reserve", n));
        groupes.push(g(c, "action-logement", n / 3 + i as u64));
        groupes.push(g(c, &format!("commune:{c}"), n / 7 + 2));
        groupes.push(Groupe { qpv: i % 2 == 0, ..g(c, "etat", n / 5) });
    }
    for rotation in [3.0, 7.5, 9.0, 12.3] {
        let f = calculer("B", "240600585", 2024, &groupes, &params(rotation));
        check_margins(&f);
        for c in &f.communes {
            let etat: u64 = c.reservataires.iter().filter(|x| x.id.starts_with("etat")).map(|x| x.logements).sum();
            let want = 0.30 * c.flux as f64;
            assert!((etat as f64 - want).abs() <= 1.0 + 1e-9, "{} : {etat} vs {want}", c.commune);
        }
    }
}

#[test]
fn a_departement_sums_its_epcis_with_departmental_rates_on_the_departement() {
    // EPCI 1 (CASA, Antibes): Action Logement 300 of 1 000; EPCI 2 (Cannes Lérins, Cannes): 0 of 1 000.
    let e1 = vec![g("06004", "action-logement", 300), g("06004", "non-reserve", 700)];
    let e2 = vec![g("06029", "non-reserve", 1000)];
    let entrees = vec![("240600585".to_string(), e1, params(10.0)), ("200039915".to_string(), e2, params(10.0))];
    let f = calculer_departement("B", "06", 2024, &entrees);
    assert_eq!(f.departement.as_deref(), Some("06"));
    assert_eq!(f.epcis.len(), 2);
    assert_eq!(f.flux, 200);
    let al = f.part("action-logement").unwrap();
    assert_eq!(al.perimetre, Perimetre::Departement("06".into()));
    assert!((al.taux - 0.15).abs() < 1e-12, "300 / 2 000 on the département");
    assert_eq!(al.logements, 30, "15 % of each EPCI's 100");
    assert_eq!(f.epcis[1].logements("action-logement"), 15, "even where it has no stock");
    assert_eq!(f.logements_etat(), 60);
    assert_eq!(f.reservataires.iter().map(|r| r.logements).sum::<u64>(), f.flux);
    assert!(!regles(&f).contains(&"etat_max_30"));
}

#[test]
fn manual_exclusions_shrink_the_assiette_where_they_are() {
    let groupes = [g("06004", "commune:06004", 20), g("06004", "non-reserve", 180), g("06018", "non-reserve", 200)];
    // Without commune: spread by assiettes (200/200 → 5 + 5); without réservataire: stocks unchanged.
    let p = FluxParametres {
        exclusions_manuelles: vec![ExclusionManuelle::parse("démolition=10").unwrap()],
        ..params(10.0)
    };
    let f = calculer("B", "E", 2024, &groupes, &p);
    assert_eq!((f.assiette, f.exclusions["démolition"]), (390, 10));
    assert_eq!(f.communes[0].assiette, 195);
    assert_eq!(f.part("commune:06004").unwrap().stock, 20);
    // In a commune, from a réservataire's stock.
    let p = FluxParametres {
        exclusions_manuelles: vec![ExclusionManuelle::parse("vente=4@06004:commune:06004").unwrap()],
        ..params(10.0)
    };
    let f = calculer("B", "E", 2024, &groupes, &p);
    let c = f.part("commune:06004").unwrap();
    assert_eq!((c.stock, c.assiette), (16, 196));
    assert_eq!(f.communes[1].assiette, 200);
    assert!(ExclusionManuelle::parse("vente=quatre").is_err());
    assert!(ExclusionManuelle::parse("=4").is_err());
}

#[test]
fn soustraits_above_the_liberations_are_an_alert_not_a_silent_zero() {
    let p = FluxParametres {
        rotation_pct: Some(10.0),
        mutations: Some(150),
        soustraits: vec![("urgence".into(), 2, "arrêté".into())],
        ..Default::default()
    };
    let f = calculer("B", "E", 2024, &[g("06004", "non-reserve", 1000)], &p);
    assert_eq!(f.flux, 0);
    assert!(regles(&f).contains(&"soustraits_sup_liberations"));
    assert!(regles(&f).contains(&"accord_prefet_requis"), "urgence needs the préfet's agreement");
}

#[test]
fn means_use_the_years_entered_only() {
    let p = FluxParametres { baux_signes: vec![90, 110], mutations: Some(0), ..Default::default() };
    let f = calculer("B", "E", 2024, &[g("06004", "non-reserve", 20_000)], &p);
    assert_eq!(f.liberations, 100, "the mean of two years, not of three with a zero");
    let p = FluxParametres { rotation_pct: Some(10.0), mutations_3_ans: vec![4, 5, 9], ..Default::default() };
    assert_eq!(calculer("B", "E", 2024, &[g("06004", "non-reserve", 1000)], &p).soustraits["mutations"], 6);
    let p = FluxParametres { rotation_pct: Some(10.0), ..Default::default() };
    let f = calculer("B", "E", 2024, &[g("06004", "non-reserve", 1000)], &p);
    assert_eq!(f.soustraits["mutations"], 10, "10 % of the libérations by default");
    assert!(f.alertes.iter().any(|a| a.regle == "parametre_par_defaut" && a.detail.contains("mutations")));
}

#[test]
fn the_circulaire_1000_liberations_minus_350() {
    let p = FluxParametres {
        baux_signes: vec![900, 1000, 1100],
        mutations: Some(300),
        soustraits: vec![("relogements".into(), 50, "NPNRU".into())],
        ..Default::default()
    };
    let f = calculer("B", "E", 2024, &[g("06004", "non-reserve", 20_000)], &p);
    assert_eq!((f.liberations, f.soustraits.values().sum::<u64>(), f.flux), (1000, 350, 650));
}

#[test]
fn bad_parameters_are_refused_with_what_to_correct() {
    let groupes = [g("06004", "non-reserve", 100)];
    let bad = |p: FluxParametres| verifier(&groupes, &p).unwrap_err().to_string();
    assert!(bad(FluxParametres { rotation_pct: Some(-1.0), ..Default::default() }).contains("entre 0 et 100"));
    assert!(bad(FluxParametres { taux_etat_pct: Some(120.0), ..Default::default() }).contains("entre 0 et 100"));
    assert!(
        bad(FluxParametres { taux_fixes: [("toto".to_string(), 5.0)].into(), ..Default::default() })
            .contains("réservataire inconnu")
    );
    assert!(
        bad(FluxParametres { taux_fixes: [("commune:83137".to_string(), 5.0)].into(), ..Default::default() })
            .contains("aucun logement")
    );
    assert!(
        bad(FluxParametres {
            exclusions_manuelles: vec![ExclusionManuelle::parse("vente=3@06018").unwrap()],
            ..Default::default()
        })
        .contains("06018")
    );
    assert!(verifier(&groupes, &params(5.0)).is_ok());
}

#[test]
fn old_saved_exclusions_still_read() {
    let p: FluxParametres =
        serde_json::from_str(r#"{"rotation_pct":5.0,"exclusions_manuelles":[["ventes",3]]}"#).unwrap();
    assert_eq!(p.exclusions_manuelles[0].motif, "ventes");
    assert_eq!(p.exclusions_manuelles[0].logements, 3);
    assert_eq!(p.exclusions_manuelles[0].commune, None);
}
