"""The one form readers fill in: reporting a problem in a translation."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from portal.inputs import PortalForm
from portal.workflow.reports import MAX_MESSAGE

TOO_LONG = _l("Use at most %(max)d characters.")


class ProblemReportForm(PortalForm):
    """What is wrong, and where."""

    paragraph = SelectField(_l("Which paragraph?"), coerce=int)
    message = TextAreaField(_l("What is wrong?"),
                            validators=[DataRequired(_l("Describe the problem, please.")),
                                        Length(max=MAX_MESSAGE, message=TOO_LONG)])
    email = EmailField(_l("Your e-mail (optional, if you want an answer)"),
                       validators=[Optional(), Length(max=254, message=TOO_LONG),
                                   Email(_l("This e-mail address looks wrong."))])
