"""Forms of the translator's aids: glossary terms and file imports."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.assist.glossary import MAX_NOTE, MAX_TERM
from portal.inputs import PortalForm
from portal.models import PartOfSpeech
from portal.models.memory import PART_OF_SPEECH_TITLES

TOO_LONG = _l("Use at most %(max)d characters.")


class TermForm(PortalForm):
    """A glossary term and its agreed translation; a term already there is updated."""

    term = StringField(_l("Term"), validators=[DataRequired(), Length(max=MAX_TERM,
                                                                      message=TOO_LONG)])
    translation = StringField(_l("Agreed translation"),
                              validators=[DataRequired(), Length(max=MAX_TERM,
                                                                 message=TOO_LONG)])
    part_of_speech = SelectField(_l("Part of speech"),
                                 choices=[SelectChoice(kind.value, PART_OF_SPEECH_TITLES[kind])
                                          for kind in PartOfSpeech],
                                 default=PartOfSpeech.NOUN.value)
    note = TextAreaField(_l("Note (optional)"),
                         validators=[Optional(), Length(max=MAX_NOTE, message=TOO_LONG)])


class DeleteTermForm(PortalForm):
    """Remove a term: nothing but the CSRF token."""

    back = HiddenField()


class ImportForm(PortalForm):
    """One file to import."""

    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a file to import."))])
