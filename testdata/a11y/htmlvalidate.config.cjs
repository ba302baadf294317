// html-validate's settings for the portal's pages (portal/a11y_test.go).
module.exports = {
  extends: ["html-validate:recommended", "html-validate:a11y"],
  rules: {
    // The pages come out of html/template: the indentation of a template
    // line whose action printed nothing is left behind. That is layout of
    // the source, not of the page, and no reader or assistive tool sees it.
    "no-trailing-whitespace": "off",
  },
};
