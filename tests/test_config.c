/* test_config.c: placeholder. */
int main(void) { return 77; }
