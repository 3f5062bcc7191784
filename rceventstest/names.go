package rceventstest

// Word pools the seeded and generated data draw from. They are plain ASCII so that the
// e-mail addresses, slugs and handles derived from them stay valid.

var firstNames = [...]string{
	"Olivia", "Liam", "Amara", "Noah", "Priya", "Mateo", "Sofia", "Ethan", "Yuki", "Lucas",
	"Chloe", "Arjun", "Hannah", "Diego", "Mei", "Samuel", "Fatima", "Oscar", "Leila", "Jonas",
	"Grace", "Rafael", "Aisha", "Henrik", "Camila", "Daniel", "Ingrid", "Kwame", "Elena", "Tomas",
	"Zara", "Benjamin", "Nadia", "Felix", "Isabel", "Marcus", "Anika", "Hugo", "Sienna", "Omar",
	"Clara", "Julian", "Lena", "Andre", "Maya", "Victor", "Emma", "Kenji", "Ruth", "Pablo",
	"Freya", "Idris", "Laura", "Nikolai", "Alice", "Tariq", "Beatriz", "Caleb", "Noor", "Stefan",
}

var lastNames = [...]string{
	"Martin", "Okafor", "Sharma", "Garcia", "Lindqvist", "Nakamura", "Rossi", "Chen", "Dubois", "Kowalski",
	"Haddad", "Fischer", "Mensah", "Silva", "Novak", "Patel", "Johansson", "Moreau", "Tanaka", "Schmidt",
	"Adeyemi", "Costa", "Ivanova", "Brennan", "Kim", "Larsen", "Mendes", "Walsh", "Hoffmann", "Reyes",
	"Nguyen", "Eriksen", "Abbott", "Castillo", "Weber", "Osei", "Romano", "Park", "Jensen", "Alvarez",
	"Kaur", "Murphy", "Bianchi", "Sato", "Vogel", "Torres", "Petrov", "Hughes", "Lopez", "Andersson",
}

// company is an employer of generated registrants: its name, e-mail domain and website.
type company struct{ name, domain string }

var companies = [...]company{
	{"Brightline Analytics", "brightline.io"},
	{"Northgate Logistics", "northgate-logistics.com"},
	{"Quillstone Software", "quillstone.dev"},
	{"Meridian Health Partners", "meridianhp.org"},
	{"Copperleaf Finance", "copperleaf.finance"},
	{"Tidewater Energy", "tidewater-energy.com"},
	{"Lumen & Vale Design", "lumenvale.co"},
	{"Orbital Freight", "orbitalfreight.net"},
	{"Greenfield Robotics", "greenfieldrobotics.ai"},
	{"Saltmarsh Media", "saltmarsh.media"},
	{"Ironbridge Consulting", "ironbridge.consulting"},
	{"Kestrel Cloud", "kestrelcloud.com"},
	{"Blue Fjord Education", "bluefjord.edu"},
	{"Amberline Retail", "amberline.shop"},
	{"Hollowpine Games", "hollowpine.gg"},
	{"Cobalt Insurance Group", "cobaltinsure.com"},
	{"Redwood Civic Labs", "redwoodcivic.org"},
	{"Fernhill Biotech", "fernhillbio.com"},
	{"Signalpath Networks", "signalpath.net"},
	{"Marigold Hospitality", "marigoldhotels.com"},
}

var jobTitles = [...]string{
	"Software Engineer", "Product Manager", "Head of Marketing", "Data Scientist", "Engineering Manager",
	"Solutions Architect", "Community Lead", "UX Researcher", "Chief Technology Officer", "Developer Advocate",
	"Operations Director", "Site Reliability Engineer", "Account Executive", "Event Coordinator", "Security Analyst",
	"Founder", "Technical Writer", "QA Lead", "Partnerships Manager", "Platform Engineer",
}

var bios = [...]string{
	"Builds data pipelines by day and sourdough by night.",
	"Ten years in B2B SaaS, currently obsessed with developer experience.",
	"Speaker, mentor and occasional marathon runner.",
	"Helping teams ship reliable software without burning out.",
	"Former teacher, now designing onboarding flows that people enjoy.",
	"Open-source maintainer and conference regular.",
	"Turning messy spreadsheets into decisions since 2012.",
	"Runs a local meetup on cloud infrastructure.",
}

var goals = [...]string{
	"Meet other platform teams and compare how we run on-call.",
	"Learn what is new in observability tooling.",
	"Find partners for our expansion into the Nordic market.",
	"Hear how others measure developer productivity.",
	"Scout speakers for our internal engineering summit.",
	"Catch up on accessibility best practices for web apps.",
}

// registrant timezones, all taken from the API's documented list.
var registrantTimezones = [...]string{
	"Europe/London", "America/New_York", "Europe/Berlin", "America/Los_Angeles", "Asia/Singapore",
	"Europe/Paris", "America/Chicago", "Asia/Tokyo", "Australia/Sydney", "Asia/Kolkata",
	"Eastern Time (US & Canada)", "Pacific Time (US & Canada)", "UTC",
}

var utmSources = [...]string{"linkedin", "newsletter", "twitter", "google", "partner"}
var utmMediums = [...]string{"social", "email", "cpc", "referral"}

// registeredThrough is drawn for registrants who did not redeem a magic link; those who
// did were registered through "magic_link".
var registeredThrough = [...]string{"registration_page", "registration_page", "registration_page", "registration_page", "import", "api"}

var talkTitles = [...]string{
	"Opening Keynote: Building for the Next Decade",
	"Scaling Postgres Past the First Terabyte",
	"Designing APIs People Want to Use",
	"Lessons from a Year of Platform Engineering",
	"Observability Without the Bill Shock",
	"Panel: Hiring and Growing Senior Engineers",
	"Zero-Downtime Migrations in Practice",
	"Accessibility Is a Feature",
	"Event-Driven Architectures That Stay Simple",
	"Security Reviews Developers Don't Dread",
	"From Monolith to Modules, Not Microservices",
	"Workshop: Writing Effective Runbooks",
	"Cost-Aware Cloud Architecture",
	"The State of WebAssembly",
	"Fireside Chat with the Founders",
	"Closing Keynote: What We Learned",
}

var abstracts = [...]string{
	"A practical look at what worked, what did not, and what we would do differently next time.",
	"Real incidents, real numbers: how one team cut its pager load in half in a year.",
	"From the first prototype to production traffic, with the trade-offs made along the way.",
	"Bring your questions: the speakers answer live after a short introduction.",
	"Hands-on: bring a laptop with Docker installed and leave with a working setup.",
	"Patterns and anti-patterns collected from a decade of running services at scale.",
	"What changed in the ecosystem this year and what it means for your roadmap.",
	"A candid conversation about growing teams without losing what made them work.",
}

var boothNames = [...]string{
	"Kestrel Cloud", "Brightline Analytics", "Signalpath Networks", "Greenfield Robotics",
	"Quillstone Software", "Copperleaf Finance", "Fernhill Biotech", "Orbital Freight",
	"Saltmarsh Media", "Ironbridge Consulting", "Hollowpine Games", "Cobalt Insurance Group",
}

var boothHeadlines = [...]string{
	"Managed Kubernetes for teams who'd rather ship",
	"Dashboards your CFO will actually read",
	"Private 5G networks for factories and campuses",
	"Autonomous picking robots, live demo every hour",
	"Type-safe SDKs generated from your OpenAPI",
	"Payments infrastructure for marketplaces",
}

var tagNames = [...]string{
	"Cloud", "Data", "Security", "AI & ML", "DevOps", "Frontend", "Leadership", "Hiring",
	"Sponsor", "Workshop", "Beginner", "Advanced",
}
