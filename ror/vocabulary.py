"""Word lists and phrase pools for the sample-data generator (``ror.generate``).

Texts are composed from these pools slot by slot (opener, clauses, details, closer, emoji,
hashtags, mentions, URLs), so most generated texts are distinct. Sentiment-bearing words are
ones that lexicon models such as VADER score (``love``, ``great``, ``terrible``, ``worst``),
split by polarity, so the text's sentiment follows the polarity the generator asked for.

Names, domains and brands are fictional: e-mail domains are reserved example domains
(RFC 2606 / RFC 6761), brand handles are invented.
"""

from __future__ import annotations

# fmt: off

# --- brands -------------------------------------------------------------------------------
# (handle, product nouns, home currency). The handle is the brand_id in every source.
BRANDS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("NorthwindCare", ("router", "fibre plan", "mobile plan", "SIM card", "bill", "modem"), "USD"),
    ("LumenCoffee", ("cold brew", "oat latte", "espresso beans", "loyalty card", "mug"), "EUR"),
    ("KestrelAir", ("flight", "boarding pass", "checked bag", "seat upgrade", "lounge"), "GBP"),
    ("AuroraSkin", ("serum", "moisturiser", "sunscreen", "cleanser", "night cream"), "EUR"),
    ("PixelNestHelp", ("laptop", "headphones", "smartwatch", "charger", "tablet"), "USD"),
    ("TrailforgeGear", ("hiking boots", "rain jacket", "backpack", "tent", "trail shoes"), "USD"),
    ("MarloweBank", ("debit card", "savings account", "app", "transfer", "credit card"), "GBP"),
    ("Fernbrook", ("sofa", "desk lamp", "bookshelf", "mattress", "rug"), "SEK"),
    ("QuillStreamTV", ("subscription", "series", "live stream", "family plan", "app"), "USD"),
    ("OrchardFresh", ("grocery box", "delivery slot", "fruit basket", "meal kit", "order"), "GBP"),
    ("VeloCityBikes", ("e-bike", "helmet", "bike lock", "service plan", "saddle"), "EUR"),
    ("HarborHomeIns", ("home policy", "claim", "renewal", "quote", "premium"), "CAD"),
)
BRAND_PREFIXES = ("Nova", "Blue", "Ember", "Willow", "Cobalt", "Summit", "Maple", "Atlas")
BRAND_SUFFIXES = ("Care", "Help", "Support", "Store", "HQ", "Team", "Shop", "Labs")

# --- people -------------------------------------------------------------------------------
FIRST_NAMES = (
    "maria", "james", "sofia", "liam", "emma", "noah", "olivia", "lucas", "mia", "ethan", "ava",
    "mateo", "isla", "leo", "amelia", "hugo", "chloe", "arjun", "priya", "kenji", "yuki",
    "fatima", "omar", "aisha", "ibrahim", "zara", "elena", "marco", "giulia", "luca", "anna",
    "jonas", "lena", "felix", "clara", "finn", "hannah", "oscar", "freya", "nils", "ingrid",
    "pablo", "lucia", "diego", "carmen", "thiago", "beatriz", "rafael", "ana", "joao", "ines",
    "chen", "wei", "mei", "jin", "hana", "min", "seo", "daniel", "sarah", "michael", "laura",
    "david", "julia", "samuel", "grace", "benjamin", "ella", "jack", "lily", "henry", "ruby",
    "oliver", "alice", "thomas", "rose", "william", "nora", "alex", "sam", "jordan", "taylor",
    "casey", "riley", "morgan", "jamie", "robin", "kai", "nina", "tariq", "leila", "yusuf",
    "amara", "kofi", "ama", "chidi", "ngozi", "tendai", "zanele", "sipho", "lerato", "pieter",
    "sanne", "daan", "eva", "lars", "astrid", "mikko", "aino", "tomas", "petra", "jakub",
    "zofia", "andrei", "ioana", "dimitri", "eleni", "nikos", "selin", "emre", "deniz", "ali",
    "sara", "reza", "parisa", "ravi", "ananya", "vikram", "kavya", "rohan", "meera", "anh",
    "linh", "minh", "thao", "jose", "camila", "valentina", "santiago", "isabella", "sebastian",
)
LAST_NAMES = (
    "smith", "garcia", "muller", "rossi", "nguyen", "kim", "patel", "silva", "kowalski",
    "jensen", "dubois", "martin", "lopez", "schmidt", "bianchi", "tanaka", "sato", "chen",
    "wang", "khan", "ali", "hassan", "okafor", "mensah", "dlamini", "van dijk", "de vries",
    "johansson", "nielsen", "virtanen", "novak", "horvat", "popescu", "ionescu", "papadopoulos",
    "yilmaz", "demir", "costa", "santos", "ferreira", "oliveira", "fernandez", "gonzalez",
    "rodriguez", "martinez", "hernandez", "perez", "sanchez", "ramirez", "torres", "flores",
    "rivera", "gomez", "diaz", "morales", "ortiz", "cruz", "reyes", "brown", "jones", "miller",
    "davis", "wilson", "anderson", "thomas", "moore", "jackson", "white", "harris", "clark",
    "lewis", "walker", "hall", "young", "allen", "wright", "scott", "green", "baker", "adams",
    "nelson", "hill", "campbell", "mitchell", "roberts", "carter", "phillips", "evans",
    "turner", "parker", "collins", "edwards", "stewart", "murphy", "cook", "rogers", "morgan",
    "cooper", "peterson", "reed", "bailey", "bell", "kelly", "howard", "ward", "cox",
    "richardson", "wood", "watson", "brooks", "bennett", "gray", "james", "hughes", "price",
    "sanders", "myers", "long", "ross", "foster", "fischer", "weber", "meyer", "wagner",
    "becker", "schulz", "hoffmann", "koch", "richter", "klein", "wolf", "neumann", "schwarz",
    "moreau", "laurent", "simon", "michel", "lefebvre", "leroy", "roux", "fontaine", "conti",
    "ricci", "marino", "greco", "bruno", "gallo", "esposito", "romano", "colombo", "russo",
    "ito", "watanabe", "yamamoto", "nakamura", "kobayashi", "park", "lee", "choi", "jung",
    "singh", "kumar", "sharma", "gupta", "reddy", "iyer", "mehta", "shah", "joshi", "das",
)
EMAIL_DOMAINS = (
    "example.com", "example.com", "example.com", "example.net", "example.org", "mail.test",
    "inbox.example", "post.test",
)
# ISO 3166 alpha-2 country and its ISO 4217 currency, weighted by repetition.
COUNTRIES: tuple[tuple[str, str], ...] = (
    ("US", "USD"), ("US", "USD"), ("US", "USD"), ("US", "USD"), ("GB", "GBP"), ("GB", "GBP"),
    ("DE", "EUR"), ("DE", "EUR"), ("FR", "EUR"), ("ES", "EUR"), ("IT", "EUR"), ("NL", "EUR"),
    ("SE", "SEK"), ("CA", "CAD"), ("CA", "CAD"), ("AU", "AUD"), ("IE", "EUR"), ("CH", "CHF"),
    ("JP", "JPY"), ("BR", "BRL"), ("IN", "INR"), ("MX", "MXN"), ("PL", "PLN"), ("DK", "DKK"),
)  # fmt: skip
BAD_CURRENCIES = ("EURO", "US$", "ZZZ", "usdollar", "€", "XYZ", "DOLLARS", "QQQ")

# --- sentiment-bearing words --------------------------------------------------------------
POS_ADJ = (
    "great", "amazing", "awesome", "excellent", "fantastic", "brilliant", "perfect", "lovely",
    "wonderful", "superb", "smooth", "helpful", "friendly", "reliable", "beautiful", "gorgeous",
    "impressive", "outstanding", "incredible", "fabulous", "delightful", "top notch", "quick",
    "easy", "nice", "cool", "stunning", "solid",
)
NEG_ADJ = (
    "terrible", "awful", "horrible", "useless", "broken", "slow", "rude", "disappointing",
    "unacceptable", "ridiculous", "pathetic", "frustrating", "confusing", "poor", "faulty",
    "damaged", "overpriced", "buggy", "worst", "sad", "lousy", "messy", "unreliable", "painful",
    "annoying", "dreadful", "shocking", "nightmare",
)
NEU_ADJ = (
    "new", "usual", "latest", "standard", "same", "second", "other", "old", "basic", "extra",
    "small", "large", "monthly", "weekly", "annual", "default", "blue", "black",
)
INTENS = (
    "really ", "so ", "super ", "very ", "incredibly ", "absolutely ", "pretty ", "quite ",
    "extremely ", "totally ", "", "", "", "",
)
POS_FEEL = (
    "love", "adore", "really like", "am obsessed with", "can't get enough of",
    "am so happy with", "am impressed by", "am loving", "am grateful for", "enjoy",
    "am thrilled with", "appreciate",
)
NEG_FEEL = (
    "hate", "am fed up with", "am sick of", "am done with", "regret buying",
    "am so disappointed with", "am annoyed with", "can't stand", "am angry about",
    "am frustrated with", "am upset about", "am tired of",
)
SUBJECTS = (
    "my order", "the app", "your website", "the delivery", "my package", "customer service",
    "the new update", "my account", "the checkout", "my subscription", "the refund",
    "the support team", "your store", "the quality", "the packaging", "my parcel", "the price",
    "the login page", "the tracking", "the chat", "the invoice", "my last order",
    "the replacement", "the staff", "the wifi", "the queue", "the booking", "my points",
)
TIME_PHRASES = (
    "for {n} days", "since {wd}", "for {n} hours", "all week", "since this morning",
    "twice today", "again", "for the {ord} time", "since last {wd}", "for {n} minutes",
    "since {h}am", "since {h}pm", "for {n} weeks", "every single time", "today", "yesterday",
    "this week", "on {wd}", "last night", "right now",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ORDINALS = ("second", "third", "fourth", "fifth", "tenth")
NEG_EVENTS = (
    "still haven't received {s}", "been waiting on hold {tp}", "was charged twice for {s}",
    "can't log into {s}", "{s} keeps crashing", "{s} arrived {na}", "{s} is down {tp}",
    "nobody answers about {s}", "{s} was cancelled without notice", "got the wrong {p}",
    "my {p} stopped working", "{s} has been stuck {tp}", "been sent in circles about {s}",
    "the {p} broke after {n} days", "still no refund for {s}", "{s} never showed up",
)
POS_EVENTS = (
    "{s} arrived early", "the {p} works perfectly", "{s} made my day", "the {p} exceeded "
    "my expectations", "{s} was sorted in {n} minutes", "got my {p} {tp}", "the {p} is a "
    "game changer", "{s} was {pa}", "the team fixed {s} so fast", "finally got the {p}",
    "my {p} is {pa}", "{s} keeps getting better", "the {p} is worth every penny",
    "been using the {p} {tp} and it's {pa}",
)
NEU_EVENTS = (
    "just ordered the {p}", "looking at the {adj} {p}", "thinking about getting the {p}",
    "picked up the {p} {tp}", "switched to the {adj} {p}", "trying the {p} {tp}",
    "comparing the {p} with the {adj} one", "my {p} is on its way", "renewed {s} {tp}",
)
QUESTIONS = (
    "any update on {s}?", "when will {s} be fixed?", "how do I change {s}?",
    "is the {p} back in stock?", "can I return the {p}?", "does the {p} come in {adj}?",
    "why is {s} so slow {tp}?", "who do I talk to about {s}?", "what happened to {s}?",
    "is there a discount on the {p}?", "can you check {s} for me?", "is {s} down?",
    "how long does {s} take?", "where is my {p}?",
)
OPENERS = (
    "", "", "", "", "", "Hey", "Hi", "Hello", "Ugh", "Wow", "Honestly", "Okay so", "PSA:",
    "Seriously", "Update:", "lol", "omg", "Well", "So", "FYI", "Quick question:", "Umm",
)
POS_CLOSERS = (
    "thank you!", "thanks so much", "keep it up", "10/10", "highly recommend", "you guys rock",
    "will buy again", "best decision ever", "so happy", "love it", "great job", "cheers",
    "made my week", "thanks team", "you're the best",
)
NEG_CLOSERS = (
    "fix this please", "not happy", "never again", "do better", "so annoying", "unbelievable",
    "what a joke", "really disappointed", "this is unacceptable", "worst experience",
    "I want my money back", "terrible service", "sort it out", "so frustrating",
)
NEU_CLOSERS = (
    "thanks", "let me know", "any ideas?", "cheers", "just wondering", "asking for a friend",
    "please advise", "thx", "ok", "",
)
POS_EMOJI = ("😍", "🙌", "❤️", "😊", "👍", "🔥", "✨", "🎉", "💯", "😁", "🥰", "👏", ":)", "<3")
NEG_EMOJI = ("😡", "😤", "🙄", "😞", "👎", "😠", "💔", "🤬", "😩", "😒", "😢", ":(", "🤥")
NEU_EMOJI = ("🤔", "👀", "📦", "☕", "📱", "🤷", "🙂", "🕒")
HASHTAGS = (
    "#fail", "#customerservice", "#love", "#happy", "#mondaymotivation", "#help", "#wtf",
    "#thankyou", "#review", "#unboxing", "#newin", "#sale", "#neveragain", "#smallwins",
    "#weekendvibes", "#techsupport", "#delivery", "#CSfail", "#goodvibes", "#fridayfeeling",
)
# --- brand voice --------------------------------------------------------------------------
APOLOGIES = (
    "Sorry to hear that!", "We're so sorry about this.", "That's not the experience we want "
    "for you.", "We apologize for the trouble.", "Oh no, that's frustrating.",
    "We understand your concern.", "This is saddening to hear.", "We hear you, and we're sorry.",
    "Thanks for flagging this, and sorry for the hassle.", "We completely understand.",
)
THANKS = (
    "Thanks so much for the love!", "We're thrilled to hear that!", "This made our day!",
    "Awesome, glad you enjoy it!", "Thank you for the kind words!", "Love to hear it!",
    "So happy it worked out!", "Yay, thanks for sharing!", "You're the best!",
    "Thanks for being with us!",
)
NEUTRAL_OPENERS = (
    "Hi there!", "Hey!", "Thanks for reaching out.", "Happy to help.", "Good question!",
    "Thanks for the message.", "We'd be glad to look into this.", "Hello!",
)
ACTIONS = (
    "Please DM us your order number and we'll look into it.",
    "Can you send us a private message with your account email?",
    "We've passed this on to the team and will follow up within {n} hours.",
    "Could you try restarting the {p} and let us know if that helps?",
    "Please check your inbox, we've sent you the next steps.",
    "We'd like to help, please follow this link: {url}",
    "Our team is on it, we expect a fix by {wd}.",
    "Can you confirm which {p} you're using?",
    "We've issued a credit to your account, it should show up in {n} days.",
    "Let's take a closer look, send us a DM and we'll sort it out.",
    "You can track it here: {url}",
    "Please share a photo of the {p} via DM so we can replace it.",
)
POSITIVE_FOLLOWUPS = (
    "Enjoy your {p}!", "See you again soon.", "We'll pass this on to the team.",
    "Tag us in your photos!", "Keep the feedback coming.", "Have a lovely {wd}!",
    "Don't forget to share it with friends.", "",
)
POST_OPENERS = (
    "Meet the new {p}.", "It's here: the {adj} {p}.", "Big news for {p} fans!",
    "Behind the scenes of our {p}.", "{n} ways to get more out of your {p}.",
    "Your {wd} just got better.", "Say hello to the {adj} {p}.", "Customer story:",
    "Quick tip for your {p}:", "Weekend plans?", "We asked, you answered.",
    "New drop alert!", "Throwback to our first {p}.",
)
POST_CTAS = (
    "Shop now", "Learn more", "Tell us what you think", "Link in bio", "Watch the video",
    "Tap to read", "Tag a friend", "Share your pics with us", "Available today",
    "Drop a comment below", "Find out more",
)
PROMO_TEMPLATES = (
    "{n}% off the {p} until {wd}. Use code {code}.",
    "Flash sale: save {n}% on every {p} today only! {url}",
    "Members get free shipping on the {p} this week. {url}",
    "Buy one {p}, get the second at {n}% off. Code {code}.",
    "Last chance: {n}% off ends {wd}! {url}",
)
ASK_TEMPLATES = (
    "How are you liking your {p}? Leave us a review: {url}",
    "Got a minute? Tell us about your experience in a {n}-question survey: {url}",
    "Would you recommend us to a friend? Share your link and you both save {n}%.",
    "Follow us for more {p} tips!",
    "Your {p} is waiting in your cart, complete your order: {url}",
    "Rate your last order from 1 to 5, it helps us a lot.",
)
HELP_TEMPLATES = (
    "Tip: you can pause your {p} anytime from the app settings.",
    "Hi! We noticed your {p} order is delayed, here's what's happening: {url}",
    "Welcome aboard! Here's a quick guide to your {p}: {url}",
    "Heads up: there's a free update for your {p}, it fixes the issue some of you saw.",
    "Need a hand with your {p}? Our help center has step by step guides: {url}",
    "We saw your question about the {p}, here's a short video that explains it: {url}",
)
REVIEW_TITLES = {
    1: ("Awful", "Never again", "Terrible experience", "Do not buy", "Worst purchase", "Scam"),
    2: ("Disappointing", "Not great", "Meh, expected better", "Poor quality", "Let down"),
    3: ("Okay", "Average", "It's fine", "Mixed feelings", "Decent but", "Not bad, not great"),
    4: ("Pretty good", "Very nice", "Happy overall", "Good value", "Would recommend"),
    5: ("Perfect!", "Love it", "Amazing", "Excellent service", "Best ever", "Five stars"),
}
SIGNATURE_LETTERS = "ABCDEFGHIJKLMNOPRSTVW"
SHORT_POS = (
    "love it", "need this", "so good", "obsessed", "yes please", "amazing", "perfect",
    "want one", "goals", "beautiful", "the best", "take my money", "wow", "so cute", "nice one",
)
SHORT_NEG = ("nope", "meh", "overpriced", "not again", "fix the app first", "boring", "ugh")
JOINERS = (". ", "! ", ", ", " and ", "... ", " - ", ". Also ", ", plus ", ". ", ". ")
SIGN_OFFS = (" ^{a}{b}", " -{a}{b}", " *{name}", " ^{a}", "", "", " -{name}")
STAFF_NAMES = (
    "Becky", "Tom", "Aisha", "Marco", "Jen", "Kev", "Priya", "Sam", "Luis", "Hana", "Clarissa",
    "Dan", "Ola", "Femi", "Ines",
)
HELP_TOPICS = ("delivery", "billing", "setup", "returns", "account", "outage", "sizing", "warranty")
WEB_SECTIONS = ("products", "blog", "help", "offers", "stores", "account", "cart", "search")
REFERRERS = ("google", "instagram", "direct", "newsletter", "facebook", "tiktok", "bing", "partner")
DEVICES = ("ios", "android", "desktop", "tablet")
POST_FORMATS = ("photo", "video", "carousel", "text", "reel", "story")
PROMO_CODES = ("SAVE", "FALL", "WELCOME", "VIP", "HELLO", "FRIENDS", "WINTER", "EXTRA")
BRAND_CLAIMS = (
    "Made for {wd} mornings.", "Now in {adj}.", "Loved by {n}k customers.",
    "Our most {pa} {p} yet.", "Because your {p} deserves better.", "Limited edition, {n} colours.",
    "Free delivery on every {p} this week.", "Designed with you, tested for {n} months.",
    "The {p} you asked for.", "Small changes, {pa} results.", "Back by popular demand.",
)
# fmt: on
