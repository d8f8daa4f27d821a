// Hydration only: the text above is already server-rendered.
document.documentElement.setAttribute("data-hydrated", "1");
