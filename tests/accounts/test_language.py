"""Pages are in French first: the language switch decides, never the browser alone."""

from django.urls import reverse


def _title(response) -> str:
    text = response.content.decode()
    return text[text.index("<h1>") : text.index("</h1>")]


def test_pages_are_french_even_when_the_browser_asks_for_english(client, db):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Connexion" in _title(response)
    assert response["Content-Language"] == "fr"


def test_the_language_switch_turns_pages_to_english(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Log in to Suivi" in _title(client.get(reverse("accounts:login")))


def test_arabic_pages_are_right_to_left(client, db):
    client.post(reverse("set_language"), {"language": "ar", "next": "/"})
    assert 'dir="rtl"' in client.get(reverse("accounts:login")).content.decode()


def test_api_answers_in_the_language_the_program_asks_for(client, db):
    response = client.get("/api/v1/projects", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response["Content-Language"] == "en"
