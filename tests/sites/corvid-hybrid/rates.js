// The server renders the chrome; the offer and the rate cards are drawn by the browser.
setTimeout(function () {
  var plans = [["City hop", "£6 a parcel", "Within the ring road, collected within the hour."],
               ["Cross town", "£11 a parcel", "Anywhere in Leeds, delivered the same day."],
               ["Account", "£180 a month", "Forty deliveries a month, invoiced monthly."]];
  var html = "<main><h1>Same-day bike couriers in Leeds</h1>" +
    "<p>Corvid Courier carries documents and parcels across Leeds by cargo bike, the same day.</p>";
  plans.forEach(function (p) {
    html += '<div class="rate"><h3>' + p[0] + '</h3><p class="price">' + p[1] + "</p><p>" + p[2] + "</p></div>";
  });
  document.getElementById("app").innerHTML = html + "</main>";
}, 30);
