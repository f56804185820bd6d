fn main() {
    earshot_app::run()
}
