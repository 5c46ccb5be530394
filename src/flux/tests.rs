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

fn regles(f: &Flux) -> Vec<Regle> {
    f.alertes.iter().map(|a| a.regle).collect()
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
        let q: u64 = f.flux_qualifie.get(r.id.as_str()).map(|v| v.iter().map(|c| c.logements).sum()).unwrap_or(0);
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
    assert_eq!(f.logements(&NON_RESERVE), 0);
    assert!((f.part("action-logement").unwrap().taux - 2000.0 / 5367.0).abs() < 1e-12);
    check_margins(&f);
}

#[test]
fn ornex_parc_exclusions_assiette_and_the_communes_rate_on_its_commune() {
    let mut groupes = vec![g("01281", "commune:01281", 32), g("01281", &NON_RESERVE, 180)];
    groupes.push(Groupe { financement: Financement::Pli, ..g("01281", &NON_RESERVE, 20) });
    groupes.push(Groupe { nature: Some("Résidence sociale".into()), ..g("01281", &NON_RESERVE, 14) });
    groupes.push(g("01160", &NON_RESERVE, 500)); // another commune of the EPCI
    let f = calculer("B", "200042497", 2024, &groupes, &params(10.0));
    let ornex = f.communes.iter().find(|c| c.commune == "01281").unwrap();
    assert_eq!((ornex.parc, ornex.exclus, ornex.assiette), (246, 34, 212));
    // The keys of `interfaces.md`: `"exclusions": {"PLI": …}`.
    assert_eq!(f.exclusions["PLI"], 20);
    assert_eq!(f.exclusions[MOTIF_CHRS], 14);
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
        let mut groupes = vec![g("06004", &NON_RESERVE, assiette - 100), g("06004", "action-logement", 100)];
        if with_stock {
            groupes[0].logements -= 50;
            groupes.push(g("06004", "etat", 50));
        }
        let f = calculer("B", "E", 2024, &groupes, &params(10.0));
        assert_eq!(f.logements_etat(), want, "assiette {assiette}");
        let r = regles(&f);
        for legal in [Regle::EtatMax30, Regle::FonctionnairesMax5, Regle::EtatHorsQpvMin30, Regle::TotalSup100] {
            assert!(!r.contains(&legal), "the defaults raised {legal}: {:?}", f.alertes);
        }
        assert!(
            f.alertes.iter().any(|a| a.regle == Regle::ParametreParDefaut && a.reservataire.as_deref() == Some("etat"))
        );
        assert_eq!(f.part("etat").unwrap().origine, OrigineTaux::Defaut);
        check_margins(&f);
    }
}

#[test]
fn fonctionnaires_are_inside_the_states_30_percent() {
    // Their stock is 8 % of the assiette: by default 5 %, flagged; the State total stays ⌊30 % F⌋.
    let groupes = [g("06004", "etat-fonctionnaires", 80), g("06004", &NON_RESERVE, 920)];
    let f = calculer("B", "E", 2024, &groupes, &params(10.0)); // F = 100
    assert_eq!(f.logements("etat-fonctionnaires"), 5);
    assert_eq!(f.logements("etat"), 25);
    assert_eq!(f.logements_etat(), 30);
    assert!(!regles(&f).contains(&Regle::FonctionnairesMax5));
    assert!(f.alertes_de("etat-fonctionnaires").any(|a| a.regle == Regle::ParametreParDefaut));
    // The State's request for the year: 3 %.
    let p = FluxParametres { taux_fonctionnaires_pct: Some(3.0), ..params(10.0) };
    let f = calculer("B", "E", 2024, &groupes, &p);
    assert_eq!((f.logements("etat-fonctionnaires"), f.logements("etat")), (3, 27));
    // Above 5 %: an alert, and still at most ⌊5 % F⌋.
    let p = FluxParametres { taux_fonctionnaires_pct: Some(7.0), ..params(10.0) };
    let f = calculer("B", "E", 2024, &groupes, &p);
    assert!(regles(&f).contains(&Regle::FonctionnairesMax5));
    assert_eq!(f.logements("etat-fonctionnaires"), 5);
}

#[test]
fn a_state_share_above_30_percent_needs_an_arrete() {
    let groupes = [g("06004", &NON_RESERVE, 1000)];
    let p = FluxParametres { taux_etat_pct: Some(35.0), ..params(10.0) };
    let f = calculer("B", "E", 2024, &groupes, &p);
    assert!(regles(&f).contains(&Regle::EtatMax30));
    assert_eq!(f.logements_etat(), 30, "capped without an arrêté");
    let p = FluxParametres { arrete_prefectoral: Some("arrêté n° 2024-17 du 3 janvier 2024".into()), ..p };
    let f = calculer("B", "E", 2024, &groupes, &p);
    assert!(!regles(&f).contains(&Regle::EtatMax30));
    assert_eq!(f.logements_etat(), 35);
    // A lower rate (clause de revoyure) is the user's to set.
    let p = FluxParametres { taux_etat_pct: Some(25.0), ..params(10.0) };
    assert_eq!(calculer("B", "E", 2024, &groupes, &p).logements_etat(), 25);
}

#[test]
fn a_commune_above_20_percent_on_its_territory_but_not_on_the_epci() {
    // Commune A: assiette 100, 30 reserved by the commune; commune B: assiette 900.
    let groupes = [g("06004", "commune:06004", 30), g("06004", &NON_RESERVE, 70), g("06018", &NON_RESERVE, 900)];
    let f = calculer("B", "240600585", 2024, &groupes, &params(10.0)); // F = 100
    let part = f.part("commune:06004").unwrap();
    assert!((part.taux - 0.30).abs() < 1e-12, "30 % of its own commune, not 3 % of the EPCI");
    let fa = f.communes.iter().find(|c| c.commune == "06004").unwrap();
    assert_eq!(fa.flux, 10);
    assert_eq!(part.logements, 3, "30 % × the commune's flux of 10");
    let a: Vec<&Alerte> = f.alertes.iter().filter(|a| a.regle == Regle::CollectiviteMax20).collect();
    assert_eq!(a.len(), 1, "{:?}", f.alertes);
    assert_eq!((a[0].reservataire.as_deref(), a[0].commune.as_deref()), (Some("commune:06004"), Some("06004")));
    // Only in its commune.
    let fb = f.communes.iter().find(|c| c.commune == "06018").unwrap();
    assert!(!fb.reservataires.iter().any(|r| r.id == "commune:06004"));
    check_margins(&f);
    // Granted for land or funding: outside the cap, no alert.
    let p = FluxParametres { apports: [Reservataire::new("commune:06004")].into(), ..params(10.0) };
    let f = calculer("B", "240600585", 2024, &groupes, &p);
    assert!(!regles(&f).contains(&Regle::CollectiviteMax20));
    assert!(f.part("commune:06004").unwrap().apport);
}

#[test]
fn collectivites_add_up_in_the_commune() {
    // Commune 12 %, EPCI 6 %, département 5 %: 23 % together in the commune → three alerts.
    let groupes = [
        g("06004", "commune:06004", 120),
        g("06004", "epci:240600585", 60),
        g("06004", "departement:06", 50),
        g("06004", &NON_RESERVE, 770),
    ];
    let f = calculer("B", "240600585", 2024, &groupes, &params(10.0));
    let who: BTreeSet<&str> = f
        .alertes
        .iter()
        .filter(|a| a.regle == Regle::CollectiviteMax20)
        .filter_map(|a| a.reservataire.as_deref())
        .collect();
    assert_eq!(who, ["commune:06004", "departement:06", "epci:240600585"].into_iter().collect());
}

#[test]
fn above_100_percent_the_others_are_reduced_pro_rata_and_the_state_keeps_its_share() {
    // Action Logement 60 %, La Poste 30 %: with the State's 30 %, 120 %.
    let groupes =
        [g("06004", "action-logement", 600), g("06004", "autre:la-poste", 300), g("06004", &NON_RESERVE, 100)];
    let f = calculer("B", "E", 2024, &groupes, &params(10.0)); // F = 100
    assert_eq!(f.logements_etat(), 30);
    assert_eq!((f.logements("action-logement"), f.logements("autre:la-poste")), (47, 23));
    assert_eq!(f.logements(&NON_RESERVE), 0);
    let al = f.part("action-logement").unwrap();
    assert!((al.taux - 0.60).abs() < 1e-12);
    assert!((al.taux_reduit.unwrap() - 0.60 * 70.0 / 90.0).abs() < 1e-9);
    assert!(regles(&f).contains(&Regle::ReductionProrata));
    assert!(regles(&f).contains(&Regle::TotalSup100));
    check_margins(&f);
}

#[test]
fn the_state_outside_qpv_follows_the_assiette_even_when_its_stock_is_all_in_qpv() {
    let mut groupes = vec![Groupe { qpv: true, ..g("06004", "etat", 100) }];
    groupes.push(Groupe { qpv: true, ..g("06004", &NON_RESERVE, 100) });
    groupes.push(g("06004", &NON_RESERVE, 800));
    let f = calculer("B", "E", 2024, &groupes, &params(10.0)); // F = 100, H = 80
    let hors: u64 = f.flux_qualifie.values().take(0).count() as u64
        + ["etat", "etat-fonctionnaires"]
            .iter()
            .flat_map(|id| f.flux_qualifie.get(*id).into_iter().flatten())
            .filter(|c| !c.qpv)
            .map(|c| c.logements)
            .sum::<u64>();
    assert_eq!(hors, 24, "round(30 × 80 %) = 24 ≥ ⌊30 % × 80⌋ = 24");
    assert!(!regles(&f).contains(&Regle::EtatHorsQpvMin30));
    // A lower State rate makes the floor impossible: the alert says so.
    let p = FluxParametres { taux_etat_pct: Some(10.0), ..params(10.0) };
    let f = calculer("B", "E", 2024, &groupes, &p);
    assert!(regles(&f).contains(&Regle::EtatHorsQpvMin30), "{:?}", f.alertes);
}

#[test]
fn uniform_state_and_exact_margins_over_many_communes() {
    let communes = ["06004", "06018", "06030", "06152", "06155", "06161", "06025"];
    let mut groupes = Vec::new();
    for (i, c) in communes.iter().enumerate() {
        let n = 37 + 53 * i as u64;
        groupes.push(g(c, &NON_RESERVE, n));
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
    let e1 = vec![g("06004", "action-logement", 300), g("06004", &NON_RESERVE, 700)];
    let e2 = vec![g("06029", &NON_RESERVE, 1000)];
    let entrees = vec![("240600585".to_string(), e1, params(10.0)), ("200039915".to_string(), e2, params(10.0))];
    let f = calculer_departement("B", "06", 2024, &entrees, &FluxParametres::default());
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
    assert!(!regles(&f).contains(&Regle::EtatMax30));
}

#[test]
fn manual_exclusions_shrink_the_assiette_where_they_are() {
    let groupes = [g("06004", "commune:06004", 20), g("06004", &NON_RESERVE, 180), g("06018", &NON_RESERVE, 200)];
    // Without commune: spread by assiettes (200/200 → 5 + 5); without réservataire: stocks unchanged.
    let p = FluxParametres {
        exclusions_manuelles: vec![ExclusionManuelle::parse("démolition=10").unwrap()],
        ..params(10.0)
    };
    let f = calculer("B", "E", 2024, &groupes, &p);
    // A demolition or a sale goes on the fiche's L.443-7 line, whatever the word typed.
    assert_eq!((f.assiette, f.exclusions[MOTIF_VENTE]), (390, 10));
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
    assert_eq!((f.exclusions[MOTIF_VENTE], f.communes[0].exclusions[MOTIF_VENTE]), (4, 4));
    assert!(!f.communes[1].exclusions.contains_key(MOTIF_VENTE));
    for (tape, motif) in
        [("L.443-7", MOTIF_VENTE), ("Ventes HLM", MOTIF_VENTE), ("pli", MOTIF_PLI), ("CROUS", MOTIF_ETUDIANTS)]
    {
        assert_eq!(motif_d_exclusion(tape), motif, "{tape}");
    }
    assert_eq!(motif_d_exclusion("sinistre incendie"), "sinistre incendie");
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
    let f = calculer("B", "E", 2024, &[g("06004", &NON_RESERVE, 1000)], &p);
    assert_eq!(f.flux, 0);
    assert!(regles(&f).contains(&Regle::SoustraitsSupLiberations));
    assert!(regles(&f).contains(&Regle::AccordPrefetRequis), "urgence needs the préfet's agreement");
}

#[test]
fn means_use_the_years_entered_only() {
    let p = FluxParametres { baux_signes: vec![90, 110], mutations: Some(0), ..Default::default() };
    let f = calculer("B", "E", 2024, &[g("06004", &NON_RESERVE, 20_000)], &p);
    assert_eq!(f.liberations, 100, "the mean of two years, not of three with a zero");
    let p = FluxParametres { rotation_pct: Some(10.0), mutations_3_ans: vec![4, 5, 9], ..Default::default() };
    assert_eq!(calculer("B", "E", 2024, &[g("06004", &NON_RESERVE, 1000)], &p).soustraits["mutations"], 6);
    let p = FluxParametres { rotation_pct: Some(10.0), ..Default::default() };
    let f = calculer("B", "E", 2024, &[g("06004", &NON_RESERVE, 1000)], &p);
    assert_eq!(f.soustraits["mutations"], 10, "10 % of the libérations by default");
    assert!(f.alertes.iter().any(|a| a.regle == Regle::ParametreParDefaut && a.detail.contains("mutations")));
}

#[test]
fn the_circulaire_1000_liberations_minus_350() {
    let p = FluxParametres {
        baux_signes: vec![900, 1000, 1100],
        mutations: Some(300),
        soustraits: vec![("relogements".into(), 50, "NPNRU".into())],
        ..Default::default()
    };
    let f = calculer("B", "E", 2024, &[g("06004", &NON_RESERVE, 20_000)], &p);
    assert_eq!((f.liberations, f.soustraits.values().sum::<u64>(), f.flux), (1000, 350, 650));
}

#[test]
fn bad_parameters_are_refused_with_what_to_correct() {
    let groupes = [g("06004", &NON_RESERVE, 100)];
    let bad = |p: FluxParametres| verifier(&groupes, &p).unwrap_err().to_string();
    assert!(bad(FluxParametres { rotation_pct: Some(-1.0), ..Default::default() }).contains("entre 0 et 100"));
    assert!(bad(FluxParametres { taux_etat_pct: Some(120.0), ..Default::default() }).contains("entre 0 et 100"));
    assert!(
        bad(FluxParametres { taux_fixes: [(Reservataire::new("toto"), 5.0)].into(), ..Default::default() })
            .contains("réservataire inconnu")
    );
    assert!(
        bad(FluxParametres { taux_fixes: [(Reservataire::new("commune:83137"), 5.0)].into(), ..Default::default() })
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

/// The logements of a réservataire in a commune.
fn dans(f: &Flux, commune: &str, id: &str) -> u64 {
    let c = f.communes.iter().find(|c| c.commune == commune).unwrap();
    c.reservataires.iter().filter(|r| r.id == id).map(|r| r.logements).sum()
}

/// Pays de Gex (Divonne 300, Ferney 260: flux 30 + 26 = 56) and Bourg-en-Bresse (190: flux 19),
/// rotation 10 %; Action Logement 75 of the département's 750 (all in Divonne).
fn deux_epcis() -> Vec<(String, Vec<Groupe>, FluxParametres)> {
    let gex = vec![g("01143", "action-logement", 75), g("01143", &NON_RESERVE, 225), g("01160", &NON_RESERVE, 260)];
    let bourg = vec![g("01053", &NON_RESERVE, 190)];
    vec![("240100750".to_string(), gex, params(10.0)), ("200071751".to_string(), bourg, params(10.0))]
}

#[test]
fn a_departement_of_two_epcis_gives_the_state_22_of_56_plus_19() {
    let f = calculer_departement("B", "01", 2024, &deux_epcis(), &FluxParametres::default());
    assert_eq!((f.epcis[0].flux, f.epcis[1].flux, f.flux), (56, 19, 75));
    // ⌊30 % × 75⌋ = 22, never ⌊30 % × 56⌋ + ⌊30 % × 19⌋ = 16 + 5 = 21.
    assert_eq!(f.logements_etat(), 22);
    // Spread by EPCI: quotas 22 × 56 / 75 = 16,43 and 22 × 19 / 75 = 5,57 → 16 and 6 (largest
    // remainder); in Gex over Divonne (quota 8,8) and Ferney (7,63) → 9 and 7.
    assert_eq!((f.epcis[0].logements_etat(), f.epcis[1].logements_etat()), (16, 6));
    assert_eq!((dans(&f, "01143", "etat"), dans(&f, "01160", "etat"), dans(&f, "01053", "etat")), (9, 7, 6));
    // Action Logement: 10 % on the département (75 / 750), 7,5 logements: the others share
    // 53 by largest remainder (7,5 ; 33,97 ; 11,53 → 7 ; 34 ; 12); then Gex 6 (quota 5,6), Bourg 1
    // (1,9: what the State's 6 leave of 19 with the non réservé's 12), Divonne 3 (3), Ferney 3 (2,6).
    let al = f.part("action-logement").unwrap();
    assert_eq!(al.perimetre, Perimetre::Departement("01".into()));
    assert!((al.taux - 0.10).abs() < 1e-12);
    assert_eq!(al.logements, 7);
    assert_eq!((f.epcis[0].logements("action-logement"), f.epcis[1].logements("action-logement")), (6, 1));
    assert_eq!((dans(&f, "01143", "action-logement"), dans(&f, "01160", "action-logement")), (3, 3));
    assert_eq!(
        (dans(&f, "01143", &NON_RESERVE), dans(&f, "01160", &NON_RESERVE), dans(&f, "01053", &NON_RESERVE)),
        (18, 16, 12)
    );
    for e in &f.epcis {
        check_margins(e);
        // 6 of Bourg's 19 is 31,6 %: a part of the departmental convention, not an excess.
        assert!(!regles(e).contains(&Regle::EtatMax30), "{:?}", e.alertes);
        assert!(e.etat_hors_qpv.departemental);
    }
    assert_eq!(f.reservataires.iter().map(|r| r.logements).sum::<u64>(), 75);
    assert_eq!(f.communes.iter().map(|c| c.flux).sum::<u64>(), 75);
    // Outside QPV (all here): ⌊30 % × 75⌋ = 22 on the département.
    assert_eq!((f.etat_hors_qpv.logements, f.etat_hors_qpv.plancher), (22, 22));
    // The State's alerts once, not once per EPCI.
    assert_eq!(
        f.alertes
            .iter()
            .filter(|a| a.regle == Regle::ParametreParDefaut && a.reservataire.as_deref() == Some("etat"))
            .count(),
        1
    );
}

#[test]
fn counts_given_for_the_departement_are_spread_over_the_epcis_and_zero_is_accepted() {
    // 12 mutations over libérations 56 and 19: 8,96 and 3,04 → 9 and 3.
    let dep = FluxParametres { mutations: Some(12), ..Default::default() };
    let f = calculer_departement("B", "01", 2024, &deux_epcis(), &dep);
    assert_eq!((f.epcis[0].soustraits["mutations"], f.epcis[1].soustraits["mutations"]), (9, 3));
    assert_eq!(f.soustraits["mutations"], 12);
    assert_eq!(f.flux, 63);
    // An exclusion without commune over the assiettes 560 and 190 (40 → 29,87 and 10,13 → 30, 10).
    let dep = FluxParametres {
        exclusions_manuelles: vec![ExclusionManuelle::parse("vente=40").unwrap()],
        ..Default::default()
    };
    let f = calculer_departement("B", "01", 2024, &deux_epcis(), &dep);
    assert_eq!((f.epcis[0].exclusions[MOTIF_VENTE], f.epcis[1].exclusions[MOTIF_VENTE]), (30, 10));
    assert_eq!(f.assiette, 710);
    // 0 is a count like any other.
    let dep = FluxParametres { mutations: Some(0), ..Default::default() };
    let f = calculer_departement("B", "01", 2024, &deux_epcis(), &dep);
    assert_eq!((f.soustraits["mutations"], f.flux), (0, 75));
    // Relogements given for the département: every category of the one list in each EPCI.
    let mut dep = FluxParametres { mutations: Some(0), ..Default::default() };
    dep.fixer_soustrait(Soustrait::Relogements, 4);
    dep.fixer_justification(Soustrait::Relogements, "NPNRU Les Grands Champs");
    let f = calculer_departement("B", "01", 2024, &deux_epcis(), &dep);
    assert_eq!((f.epcis[0].soustraits["relogements"], f.epcis[1].soustraits["relogements"]), (3, 1));
    assert_eq!(f.epcis[1].parametres.justification(Soustrait::Relogements), "NPNRU Les Grands Champs");
    for c in Soustrait::ALL {
        assert!(f.epcis[0].soustraits.contains_key(c.as_str()), "{c}");
    }
}

#[test]
fn a_prefects_arrete_replaces_the_30_percent_of_the_departement() {
    let dep = FluxParametres {
        taux_etat_pct: Some(35.0),
        arrete_prefectoral: Some("arrêté n° 2024-17".into()),
        ..Default::default()
    };
    let f = calculer_departement("B", "01", 2024, &deux_epcis(), &dep);
    assert_eq!(f.logements_etat(), 26, "⌊35 % × 75⌋ = ⌊26,25⌋ = 26");
    assert!(!regles(&f).contains(&Regle::EtatMax30));
    // Without it: 30 % applied, 35 % kept as what was asked.
    let dep = FluxParametres { taux_etat_pct: Some(35.0), ..Default::default() };
    let f = calculer_departement("B", "01", 2024, &deux_epcis(), &dep);
    assert_eq!(f.logements_etat(), 22);
    let e = f.part("etat").unwrap();
    assert!((e.taux - 0.30).abs() < 1e-12 && (e.taux_demande.unwrap() - 0.35).abs() < 1e-12);
}

#[test]
fn with_an_arrete_the_states_ceiling_is_its_rate_on_whole_dwellings() {
    // Rule 2 with the arrêté's rate instead of 30 % (rule 9): min(round(r × F), ⌊r × F⌋).
    // F = 57: 35 % × 57 = 19,95 → 19, not the 20 of rounding; F = 95 at 30 % with an arrêté:
    // 28,5 → 28, as without it; F = 100 at 35 %: 35.
    let arrete = |taux: f64| FluxParametres {
        taux_etat_pct: Some(taux),
        arrete_prefectoral: Some("arrêté n° 2025-3 du 6 janvier 2025".into()),
        ..params(10.0)
    };
    for (assiette, taux, attendu) in [(570, 35.0, 19), (950, 30.0, 28), (1000, 35.0, 35), (570, 25.0, 14)] {
        let f = calculer("B", "E", 2024, &[g("06004", &NON_RESERVE, assiette)], &arrete(taux));
        assert_eq!(f.flux, assiette / 10);
        assert_eq!(f.logements_etat(), attendu, "{taux} % de {}", f.flux);
        assert!(!regles(&f).contains(&Regle::EtatMax30));
        check_margins(&f);
    }
}

#[test]
fn the_states_agents_are_at_most_five_percent_of_the_flux_in_whole_dwellings() {
    // Rule 2: fonctionnaires = min(round(f × F), ⌊5 % × F⌋), prioritaires = State − them.
    // F = 59 (State ⌊17,7⌋ = 17): asked 4,5 % → round(2,655) = 3 but ⌊2,95⌋ = 2: 2 agents and
    // 15 prioritaires; asked 4 % → round(2,36) = 2; F = 100, 2,5 % → round(2,5) = 3, 27.
    for (assiette, f_pct, agents, prioritaires) in [(590, 4.5, 2, 15), (590, 4.0, 2, 15), (1000, 2.5, 3, 27)] {
        let p = FluxParametres { taux_fonctionnaires_pct: Some(f_pct), ..params(10.0) };
        let f = calculer("B", "E", 2024, &[g("06004", &NON_RESERVE, assiette)], &p);
        assert_eq!(f.flux, assiette / 10);
        assert_eq!(
            (f.logements("etat-fonctionnaires"), f.logements("etat")),
            (agents, prioritaires),
            "{f_pct} % de {}",
            f.flux
        );
        assert!(!regles(&f).contains(&Regle::FonctionnairesMax5), "{f_pct} % is within the ceiling");
    }
}

#[test]
fn fonctionnaires_asked_at_7_percent_are_applied_at_5() {
    // F = 57: the State ⌊30 % × 57⌋ = 17, of which fonctionnaires ⌊5 % × 57⌋ = 2.
    let groupes = [g("06004", &NON_RESERVE, 570)];
    let p = FluxParametres { taux_fonctionnaires_pct: Some(7.0), ..params(10.0) };
    let f = calculer("B", "E", 2024, &groupes, &p);
    assert_eq!(f.flux, 57);
    let fo = f.part("etat-fonctionnaires").unwrap();
    assert!((fo.taux - 0.05).abs() < 1e-12, "the rate applied, not the 7 % asked");
    assert!((fo.taux_demande.unwrap() - 0.07).abs() < 1e-12);
    assert_eq!((fo.origine, fo.logements), (OrigineTaux::Plafonne, 2));
    let etat = f.part("etat").unwrap();
    assert!((etat.taux - 0.25).abs() < 1e-12 && etat.taux_demande.is_none());
    assert_eq!((etat.logements, f.logements_etat()), (15, 17));
    let a = f.alertes_de("etat-fonctionnaires").find(|a| a.regle == Regle::FonctionnairesMax5).unwrap();
    assert!(a.detail.contains("7,0") && a.detail.contains("5,0"), "{}", a.detail);
    let json = serde_json::to_value(&f).unwrap();
    let fo = json["reservataires"].as_array().unwrap().iter().find(|r| r["id"] == "etat-fonctionnaires").unwrap();
    assert_eq!((fo["taux"].as_f64(), fo["taux_demande"].as_f64()), (Some(0.05), Some(0.07)));
}

#[test]
fn a_state_share_asked_at_35_percent_without_arrete_is_applied_at_30() {
    let f = calculer(
        "B",
        "E",
        2024,
        &[g("06004", &NON_RESERVE, 1000)],
        &FluxParametres { taux_etat_pct: Some(35.0), ..params(10.0) },
    );
    let e = f.part("etat").unwrap();
    assert!((e.taux - 0.30).abs() < 1e-12, "30 % applied");
    assert!((e.taux_demande.unwrap() - 0.35).abs() < 1e-12, "35 % kept as asked");
    assert_eq!((e.origine, f.logements_etat()), (OrigineTaux::Plafonne, 30));
    assert!(f.alertes_de("etat").any(|a| a.regle == Regle::EtatMax30));
}

#[test]
fn divonne_and_ferney_get_the_floor_or_the_ceiling_of_their_quotas() {
    // Pays de Gex, flux 100: Divonne 55, Ferney 26, Gex 19. Action Logement 711 of 10 000
    // (7,11 %): quotas 3,91 at Divonne, 1,85 at Ferney, 1,35 at Gex; the commune of Ferney 30 %
    // of its commune (7,8). The others share 70: 7,11 ; 7,8 ; 55,09 → 7 ; 8 ; 55. Action
    // Logement's 7 by largest remainder over its quotas: 4, 2, 1 — never 5 at Divonne or 1 at
    // Ferney.
    let groupes = [
        g("01143", "action-logement", 391),
        g("01143", &NON_RESERVE, 5109),
        g("01160", "action-logement", 185),
        g("01160", "commune:01160", 780),
        g("01160", &NON_RESERVE, 1635),
        g("01173", "action-logement", 135),
        g("01173", &NON_RESERVE, 1765),
    ];
    let f = calculer("B", "240100750", 2024, &groupes, &params(1.0));
    assert_eq!(f.flux, 100);
    assert_eq!(
        (
            dans(&f, "01143", "action-logement"),
            dans(&f, "01160", "action-logement"),
            dans(&f, "01173", "action-logement")
        ),
        (4, 2, 1)
    );
    assert_eq!((dans(&f, "01143", "etat"), dans(&f, "01160", "etat"), dans(&f, "01173", "etat")), (16, 8, 6));
    assert_eq!(dans(&f, "01160", "commune:01160"), 8);
    check_margins(&f);
    // Every cell within one dwelling of its quota.
    let al = f.part("action-logement").unwrap();
    for c in &f.communes {
        let q = al.taux * c.flux as f64;
        let n = dans(&f, &c.commune, "action-logement") as f64;
        assert!(n >= q.floor() && n <= q.ceil(), "{} : {n} for {q}", c.commune);
    }
}

#[test]
fn one_list_of_soustraits_and_the_first_versions_motifs() {
    let p = FluxParametres {
        rotation_pct: Some(10.0),
        mutations: Some(5),
        soustraits: vec![
            ("ORCOD".into(), 2, "".into()),
            ("LHI".into(), 1, "ligne de commande".into()),
            ("gens du voyage".into(), 3, "aire de Biot".into()),
            ("relogements".into(), 4, "NPNRU".into()),
        ],
        ..Default::default()
    };
    let f = calculer("B", "E", 2024, &[g("06004", &NON_RESERVE, 1000)], &p);
    let keys: Vec<&str> = f.soustraits.keys().map(String::as_str).collect();
    let mut want: Vec<&str> = Soustrait::ALL.iter().map(|c| c.as_str()).collect();
    want.sort();
    assert_eq!(keys, want);
    assert_eq!((f.soustraits["orcod"], f.soustraits["insalubres"], f.soustraits["autres"]), (2, 1, 3));
    assert_eq!((f.soustraits["relogements"], f.soustraits["urgence"]), (4, 0));
    assert_eq!(f.flux, 100 - 5 - 2 - 1 - 3 - 4);
    assert!(f.alertes.iter().any(|a| a.regle == Regle::AccordPrefetRequis && a.detail.contains("Autres")));
    // A technical origin is not a justification; a motif of its own says what it is.
    assert_eq!(p.justification(Soustrait::Insalubres), "");
    assert_eq!(p.justification(Soustrait::Autres), "gens du voyage : aire de Biot");
    assert_eq!(Soustrait::parse("Démolition hors ANRU"), Some(Soustrait::RelogementsHorsAnru));
    assert_eq!(Soustrait::parse("relogements_hors_anru"), Some(Soustrait::RelogementsHorsAnru));
    assert_eq!(Soustrait::parse("Relogement ANRU"), Some(Soustrait::Relogements));
}

#[test]
fn parameters_saved_by_earlier_versions_still_load() {
    let json = r#"{"rotation_pct":8.0,"departs":[],"entrees":[],"methode_rotation":null,"baux_signes":[],
        "mutations":null,"mutations_pct":10.0,"mutations_cus":null,"mutations_3_ans":[],
        "soustraits":[["relogements",3,"ligne de commande"],["ORCOD",1,"Copro Les Pins"]],
        "exclusions_manuelles":[],"taux_etat_pct":null,"taux_fonctionnaires_pct":null,"arrete_prefectoral":null,
        "taux_fixes":{},"apports":[],"cus":null,"charte_relogement":null,"contact":"Service gestion locative",
        "mises_en_service":0,"logements_pmr":0,"plai_adaptes":0,"commentaires":""}"#;
    let p: FluxParametres = serde_json::from_str(json).unwrap();
    assert_eq!((p.soustrait(Soustrait::Relogements), p.soustrait(Soustrait::Orcod)), (Some(3), Some(1)));
    assert_eq!(p.justification(Soustrait::Relogements), "");
    assert_eq!(p.justification(Soustrait::Orcod), "Copro Les Pins");
    assert_eq!(p.justification_mutations, "");
}

#[test]
fn each_kind_of_logement_foyer_has_its_line() {
    let n = |nature: &str| exclusion(&Groupe { nature: Some(nature.into()), ..g("06004", &NON_RESERVE, 1) });
    assert_eq!(n("FTM"), Some(MOTIF_FTM));
    assert_eq!(n("Foyer de travailleurs migrants"), Some(MOTIF_FTM));
    assert_eq!(n("EHPAD"), Some(MOTIF_MEDICO_SOCIAL));
    assert_eq!(n("Résidence autonomie"), Some(MOTIF_MEDICO_SOCIAL));
    assert_eq!(n("CHRS"), Some(MOTIF_CHRS));
    assert_eq!(n("Résidence sociale"), Some(MOTIF_CHRS));
    assert_eq!(n("Foyer de jeunes travailleurs"), Some(MOTIF_CHRS));
    assert_eq!(n("Logement-foyer"), Some(MOTIF_FOYERS));
    assert_eq!(n("Résidence étudiante"), Some(MOTIF_ETUDIANTS));
    assert_eq!(n("Logement familial"), None);
}

#[test]
fn the_states_prioritaires_and_fonctionnaires_each_get_the_floor_or_the_ceiling_of_their_own_quota() {
    // Three communes of assiettes 164, 187 and 248 (599), rotation 10 %: F = 60, split by
    // largest remainder into F_c = 16, 19, 25. The State ⌊30 % × 60⌋ = 18; fonctionnaires asked
    // at 2 %: round(1,2) = 1, prioritaires 17. In the commune of 25 the prioritaires' quota is
    // 17 × 25 / 60 = 7,08 and the fonctionnaires' 0,42: 7 and 0 there (or 8 and 0), never the
    // 6 + 1 that splitting the State's cell of 7 in proportion gave (the La Colle-sur-Loup
    // defect: 1 prioritaire for a quota of 2,01 and 1 fonctionnaire for 0,38).
    let groupes = [g("06001", "non-reserve", 164), g("06002", "non-reserve", 187), g("06003", "non-reserve", 248)];
    let p = FluxParametres { taux_fonctionnaires_pct: Some(2.0), ..params(10.0) };
    let f = calculer("B", "E", 2024, &groupes, &p);
    assert_eq!((f.flux, f.logements("etat"), f.logements("etat-fonctionnaires")), (60, 17, 1));
    assert_eq!(f.communes.iter().map(|c| c.flux).collect::<Vec<_>>(), vec![16, 19, 25]);
    check_margins(&f);
    assert_eq!(dans(&f, "06003", "etat-fonctionnaires"), 0);
    assert!(dans(&f, "06003", "etat") >= 7);
    prioritaires_et_fonctionnaires_sur_leur_quota(&f);
}

/// Each commune's prioritaires and fonctionnaires: the floor or the ceiling of their own quota
/// (their total × the commune's part of the flux), and the State's cell within one of its own.
fn prioritaires_et_fonctionnaires_sur_leur_quota(f: &Flux) {
    let dans_borne = |n: u64, q: f64| n as f64 >= (q - 1e-7).floor() && n as f64 <= (q + 1e-7).ceil();
    for c in &f.communes {
        let part = c.flux as f64 / f.flux as f64;
        let (prio, fo) = (dans(f, &c.commune, "etat"), dans(f, &c.commune, "etat-fonctionnaires"));
        assert!(dans_borne(prio, f.logements("etat") as f64 * part), "{} : {prio} prioritaires", c.commune);
        assert!(
            dans_borne(fo, f.logements("etat-fonctionnaires") as f64 * part),
            "{} : {fo} fonctionnaires",
            c.commune
        );
        assert!(dans_borne(prio + fo, f.logements_etat() as f64 * part), "{} : State {}", c.commune, prio + fo);
    }
}

#[test]
fn prioritaires_and_fonctionnaires_on_their_own_quotas_over_random_territories() {
    let mut rng = crate::hasard::Rng::new(7);
    for _ in 0..400 {
        let n = 2 + rng.below(4);
        let groupes: Vec<Groupe> =
            (0..n).map(|i| g(&format!("060{:02}", i + 1), "non-reserve", 10 + rng.next_u64() % 300)).collect();
        let p = FluxParametres { taux_fonctionnaires_pct: Some((1 + rng.below(5)) as f64), ..params(10.0) };
        let f = calculer("B", "E", 2024, &groupes, &p);
        check_margins(&f);
        prioritaires_et_fonctionnaires_sur_leur_quota(&f);
    }
}

#[test]
fn the_prioritaires_asked_are_the_states_request_less_its_agents_request() {
    // F = 100: the State asks 35 % of which 7 % for its agents, without an arrêté: applied 30 %
    // and 5 % (30 and 5 logements); the prioritaires asked 35 − 7 = 28 %, applied 25 %.
    let p = FluxParametres { taux_etat_pct: Some(35.0), taux_fonctionnaires_pct: Some(7.0), ..params(10.0) };
    let f = calculer("B", "E", 2024, &[g("06004", "non-reserve", 1000)], &p);
    let (e, fo) = (f.part("etat").unwrap(), f.part("etat-fonctionnaires").unwrap());
    assert!((e.taux - 0.25).abs() < 1e-12 && (e.taux_demande.unwrap() - 0.28).abs() < 1e-12, "{e:?}");
    assert!((fo.taux - 0.05).abs() < 1e-12 && (fo.taux_demande.unwrap() - 0.07).abs() < 1e-12);
    assert_eq!((e.logements, fo.logements), (25, 5));
    let json = serde_json::to_value(&f).unwrap();
    let etat = json["reservataires"].as_array().unwrap().iter().find(|r| r["id"] == "etat").unwrap().clone();
    assert_eq!((etat["taux"].as_f64(), etat["origine"].as_str()), (Some(0.25), Some("plafonne")));
    assert!((etat["taux_demande"].as_f64().unwrap() - 0.28).abs() < 1e-12);
    // The State asks 30 % of which 7 % for its agents: prioritaires asked 23 %, applied 25 %.
    let p = FluxParametres { taux_etat_pct: Some(30.0), taux_fonctionnaires_pct: Some(7.0), ..params(10.0) };
    let f = calculer("B", "E", 2024, &[g("06004", "non-reserve", 1000)], &p);
    let e = f.part("etat").unwrap();
    assert!((e.taux - 0.25).abs() < 1e-12 && (e.taux_demande.unwrap() - 0.23).abs() < 1e-12, "{e:?}");
}
