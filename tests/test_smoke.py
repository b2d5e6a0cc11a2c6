from onestop.agencies.models import Agency


def test_demo_tree_loaded(db):
    assert db.session.query(Agency).count() >= 15
