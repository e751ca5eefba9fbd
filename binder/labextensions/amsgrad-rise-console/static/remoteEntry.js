/* The widgets in RISE's slideshow (jupyterlab-rise 0.43, ipywidgets 8; upstream bug
   jupyterlab-contrib/rise#119). RISE's page is its own small JupyterLab application, built
   without @jupyterlab/console; the widget manager (@jupyter-widgets/jupyterlab-manager)
   imports that package only for the optional IConsoleTracker token (widgets in a console)
   and, finding no such shared module, fails to load: every widget shows as text.
   This federated module adds, only where no @jupyterlab/console is shared (RISE's page,
   never JupyterLab's), a module that exports that one token. Nothing provides the token
   there, so the manager runs without console support, as the optional dependency allows.
   Remove it when jupyterlab-rise ships @jupyterlab/console (the RISE explorer browser test
   then passes without it). */
(function () {
    var registry = window._JUPYTERLAB = window._JUPYTERLAB || {};
    registry["amsgrad-rise-console"] = {
        init: function (scope) {
            var coreutils = scope["@lumino/coreutils"];
            if (scope["@jupyterlab/console"] || !coreutils) { return; }
            var entry = coreutils[Object.keys(coreutils)[0]];
            scope["@jupyterlab/console"] = {"4.0.0": {
                from: "amsgrad-rise-console", eager: false,
                get: function () {
                    return Promise.resolve(entry.get()).then(function (factory) {
                        var Token = factory().Token;
                        var exports = {IConsoleTracker: new Token("@jupyterlab/console:IConsoleTracker",
                                                                  "absent in RISE's page")};
                        return function () { return exports; };
                    });
                }
            }};
        },
        get: function (module) {
            return Promise.reject(new Error("amsgrad-rise-console has no module " + module));
        }
    };
})();
