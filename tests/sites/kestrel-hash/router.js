// A hash-routed app (#/services, #/team ...): the server only ever sees "/".
var PAGES = {
  "/": ["Kestrel Surveys", "Kestrel Surveys maps farmland and solar sites from the air with fixed-wing drones."],
  "/services": ["Services", "Topographic surveys of up to 2,000 hectares a day, delivered as contour maps within a week."],
  "/team": ["Our team", "Six licensed pilots and two surveyors, based in Lincoln since 2016."],
  "/contact": ["Contact", "Write to flights@kestrel.test or call +44 1522 960 555 to book a survey."]
};
function draw() {
  var path = location.hash.replace(/^#/, "") || "/";
  var page = PAGES[path] || PAGES["/"];
  var links = Object.keys(PAGES).map(function (p) {
    return '<a href="#' + p + '">' + PAGES[p][0] + "</a>";
  }).join(" ");
  document.title = page[0] + " | Kestrel Surveys";
  document.getElementById("app").innerHTML =
    "<nav>" + links + "</nav><main><h1>" + page[0] + "</h1><p>" + page[1] + "</p></main>";
}
window.addEventListener("hashchange", draw);
draw();
